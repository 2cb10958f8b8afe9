using Akka.Actor;
using Akka.Configuration;

namespace PoolCluster.Serialization;

/// <summary>
/// Serializer of the pool's own protocol (router, workers, node hosts, manager). It deserializes only the protocol's
/// own types, primitives, collections and Akka's actor-reference surrogates: user values cross the network only as
/// opaque byte payloads, which are decoded in child processes or by the caller, never by a node's actor system.
/// </summary>
public sealed class ProtocolSerializer : HyperionSerializerBase
{
    /// <summary>The identifier used when <c>akka.actor.serialization-identifiers</c> does not name one.</summary>
    public const int DefaultIdentifier = 442;

    /// <summary>Creates the serializer for <paramref name="system"/>.</summary>
    public ProtocolSerializer(ExtendedActorSystem system) : this(system, Config.Empty)
    {
    }

    /// <summary>Creates the serializer for <paramref name="system"/>.</summary>
    public ProtocolSerializer(ExtendedActorSystem system, Config config) : base(system, DefaultIdentifier, ProtocolTypeFilter.Instance)
    {
    }
}
