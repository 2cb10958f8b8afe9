using Akka.Actor;
using Akka.Configuration;

namespace PoolCluster.Serialization;

/// <summary>
/// Akka.NET serializer backed by Hyperion, PoolCluster's small replacement for Akka.Serialization.Hyperion.
/// Bound to <c>System.Object</c> in Pool.Core's reference.conf for messages of embedding applications; the pool's own
/// protocol travels with the stricter <see cref="ProtocolSerializer"/>.
/// </summary>
/// <remarks>
/// Serializers are the only serialization files that reference Akka: child processes use <see cref="PayloadSerializer"/>
/// and never load Akka.dll. All share <see cref="PayloadSerializer.CreateOptions"/>.
/// </remarks>
public sealed class HyperionSerializer : HyperionSerializerBase
{
    /// <summary>The identifier used when <c>akka.actor.serialization-identifiers</c> does not name one.</summary>
    public const int DefaultIdentifier = 441;

    /// <summary>Creates the serializer for <paramref name="system"/>.</summary>
    public HyperionSerializer(ExtendedActorSystem system) : this(system, Config.Empty)
    {
    }

    /// <summary>Creates the serializer for <paramref name="system"/>; no keys of <paramref name="config"/> are read yet.</summary>
    public HyperionSerializer(ExtendedActorSystem system, Config config) : base(system, DefaultIdentifier, typeFilter: null)
    {
    }
}
