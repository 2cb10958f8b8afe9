using Akka.Actor;
using Akka.Configuration;
using Akka.Util;
using Hyperion;
using HyperionCore = Hyperion.Serializer;
using PoolCluster.WireFormat.Functions;
using PoolCluster.WireFormat.Values;

namespace PoolCluster.WireFormat.Messages;

/// <summary>
/// Serializer of the pool's own protocol (router, workers, node hosts, manager). It deserializes only the protocol's
/// own types, primitives, collections and Akka's actor-reference surrogates: user values cross the network only as
/// opaque byte payloads, which are decoded in child processes or by the caller, never by a node's actor system.
/// Every other message of an actor system travels with the official Akka.Serialization.Hyperion (reference.conf).
/// </summary>
/// <remarks>The only serialization file besides the surrogates that references Akka: child processes use
/// <see cref="PayloadSerializer"/> and never load Akka.dll.</remarks>
public sealed class ProtocolSerializer : Akka.Serialization.Serializer
{
    /// <summary>The identifier used when <c>akka.actor.serialization-identifiers</c> does not name one.</summary>
    public const int DefaultIdentifier = 442;

    private readonly HyperionCore _serializer;
    private readonly int _identifier;

    /// <summary>Creates the serializer for <paramref name="system"/>.</summary>
    public ProtocolSerializer(ExtendedActorSystem system) : this(system, Config.Empty)
    {
    }

    /// <summary>Creates the serializer for <paramref name="system"/>.</summary>
    public ProtocolSerializer(ExtendedActorSystem system, Config config) : base(system)
    {
        _identifier = ReadIdentifier(system);
        // Akka's own types (IActorRef, ActorPath, ...) travel as their surrogates and are re-bound to this system.
        var surrogates = new[]
        {
            Surrogate.Create<ISurrogated, ISurrogate>(from => from.ToSurrogate(system), to => to.FromSurrogate(system)),
        };
        _serializer = new HyperionCore(PayloadSerializer.CreateOptions(surrogates, ProtocolTypeFilter.Instance));
    }

    /// <inheritdoc />
    public override int Identifier => _identifier;

    /// <summary>False: Hyperion writes the type into the payload itself.</summary>
    public override bool IncludeManifest => false;

    /// <summary>Serializes <paramref name="obj"/> with Hyperion.</summary>
    public override byte[] ToBinary(object obj)
    {
        using var stream = new MemoryStream();
        _serializer.Serialize(obj, stream);
        return stream.ToArray();
    }

    /// <summary>Deserializes a message written by <see cref="ToBinary"/>; any type outside the protocol is refused.</summary>
    public override object FromBinary(byte[] bytes, Type type)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        try
        {
            return _serializer.Deserialize(stream);
        }
        catch (Exception e) when (e is not FunctionResolutionException)
        {
            throw new System.Runtime.Serialization.SerializationException(
                $"Failed to deserialize an instance of {type?.FullName ?? "an unknown type"}: {e.Message}", e);
        }
    }

    private int ReadIdentifier(ExtendedActorSystem system)
    {
        var identifiers = system.Settings.Config.GetConfig("akka.actor.serialization-identifiers");
        if (identifiers is null || identifiers.IsEmpty)
            return DefaultIdentifier;
        var key = GetType().FullName + ", " + GetType().Assembly.GetName().Name;
        foreach (var entry in identifiers.AsEnumerable())
        {
            if (string.Equals(entry.Key.Trim('"'), key, StringComparison.Ordinal))
                return entry.Value.GetInt();
        }
        return DefaultIdentifier;
    }
}
