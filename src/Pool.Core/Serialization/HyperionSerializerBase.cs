using Akka.Actor;
using Akka.Util;
using Hyperion;
using HyperionCore = Hyperion.Serializer;

namespace PoolCluster.Serialization;

/// <summary>
/// What PoolCluster's Akka serializers share: Hyperion with the pool's options, Akka's surrogates for actor references,
/// and the identifier read from <c>akka.actor.serialization-identifiers</c>.
/// </summary>
public abstract class HyperionSerializerBase : Akka.Serialization.Serializer
{
    private readonly HyperionCore _serializer;
    private readonly int _identifier;

    /// <summary>Creates the serializer; <paramref name="typeFilter"/> limits what may be deserialized (null: no limit beyond Hyperion's unsafe types).</summary>
    protected HyperionSerializerBase(ExtendedActorSystem system, int defaultIdentifier, ITypeFilter? typeFilter) : base(system)
    {
        _identifier = ReadIdentifier(system, defaultIdentifier);
        // Akka's own types (IActorRef, ActorPath, ...) travel as their surrogates and are re-bound to this system.
        var surrogates = new[]
        {
            Surrogate.Create<ISurrogated, ISurrogate>(from => from.ToSurrogate(system), to => to.FromSurrogate(system)),
        };
        _serializer = new HyperionCore(PayloadSerializer.CreateOptions(surrogates, typeFilter));
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

    /// <summary>Deserializes a message written by <see cref="ToBinary"/>.</summary>
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

    private int ReadIdentifier(ExtendedActorSystem system, int defaultIdentifier)
    {
        var identifiers = system.Settings.Config.GetConfig("akka.actor.serialization-identifiers");
        if (identifiers is null || identifiers.IsEmpty)
            return defaultIdentifier;
        var key = GetType().FullName + ", " + GetType().Assembly.GetName().Name;
        foreach (var entry in identifiers.AsEnumerable())
        {
            if (string.Equals(entry.Key.Trim('"'), key, StringComparison.Ordinal))
                return entry.Value.GetInt();
        }
        return defaultIdentifier;
    }
}
