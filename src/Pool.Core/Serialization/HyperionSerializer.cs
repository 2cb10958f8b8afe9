using Akka.Actor;
using Akka.Configuration;
using Akka.Util;
using Hyperion;
using HyperionCore = Hyperion.Serializer;

namespace PoolCluster.Serialization;

/// <summary>
/// Akka.NET serializer backed by Hyperion, PoolCluster's small replacement for Akka.Serialization.Hyperion.
/// Bound to <c>System.Object</c> in Pool.Core's reference.conf, so pool messages (including functions, which travel
/// as build-checked delegate descriptors) cross the network with it.
/// </summary>
/// <remarks>
/// This is the only serialization file that references Akka: child processes use <see cref="PayloadSerializer"/>
/// and never load Akka.dll. Both share <see cref="PayloadSerializer.CreateOptions"/>.
/// </remarks>
public sealed class HyperionSerializer : Akka.Serialization.Serializer
{
    /// <summary>The identifier used when <c>akka.actor.serialization-identifiers</c> does not name one.</summary>
    public const int DefaultIdentifier = 441;

    private readonly HyperionCore _serializer;
    private readonly int _identifier;

    /// <summary>Creates the serializer for <paramref name="system"/>.</summary>
    /// <param name="system">The actor system whose actor references and other surrogated types the serializer resolves.</param>
    public HyperionSerializer(ExtendedActorSystem system) : this(system, Config.Empty)
    {
    }

    /// <summary>Creates the serializer for <paramref name="system"/> with its <c>serialization-settings.hyperion</c> section.</summary>
    /// <param name="system">The actor system whose actor references and other surrogated types the serializer resolves.</param>
    /// <param name="config">The serializer's settings section; currently no keys are read from it.</param>
    public HyperionSerializer(ExtendedActorSystem system, Config config) : base(system)
    {
        _identifier = ReadIdentifier(system);
        // Akka's own types (IActorRef, ActorPath, ...) travel as their surrogates and are re-bound to this system.
        var surrogates = new[]
        {
            Surrogate.Create<ISurrogated, ISurrogate>(from => from.ToSurrogate(system), to => to.FromSurrogate(system)),
        };
        _serializer = new HyperionCore(PayloadSerializer.CreateOptions(surrogates));
    }

    /// <inheritdoc />
    public override int Identifier => _identifier;

    /// <summary>False: Hyperion writes the type into the payload itself.</summary>
    public override bool IncludeManifest => false;

    /// <summary>Serializes <paramref name="obj"/> with Hyperion.</summary>
    /// <param name="obj">The message to serialize.</param>
    /// <returns>The serialized bytes.</returns>
    public override byte[] ToBinary(object obj)
    {
        using var stream = new MemoryStream();
        _serializer.Serialize(obj, stream);
        return stream.ToArray();
    }

    /// <summary>Deserializes a message written by <see cref="ToBinary"/>.</summary>
    /// <param name="bytes">The serialized message.</param>
    /// <param name="type">Ignored: the type is in the payload.</param>
    /// <returns>The message.</returns>
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
