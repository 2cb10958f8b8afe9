using Hyperion;
using PoolCluster.Manager;
using PoolCluster.WireFormat.Messages;

namespace PoolCluster.WireFormat.Values;

// Shared-object proxies in an application's own actor messages, for Akka.Serialization.Hyperion: its HOCON
// (akka.actor.serialization-settings.hyperion.surrogates in reference.conf) names surrogate classes that it creates
// with their parameterless constructor. The same surrogates PayloadSerializer uses for user values.

/// <summary>A <see cref="SharedDict{TKey,TValue}"/>, <see cref="SharedLock"/>... proxy travels as its type and plain
/// data, not as a collection Hyperion would enumerate (calling the manager while serializing).</summary>
public sealed class SharedObjectHyperionSurrogate : Surrogate
{
    public SharedObjectHyperionSurrogate()
    {
        From = typeof(SharedObject);
        To = typeof(SharedObjectSurrogate);
        ToSurrogate = proxy => SharedObjectSurrogate.From((SharedObject)proxy);
        FromSurrogate = surrogate => ((SharedObjectSurrogate)surrogate).Restore();
    }
}

/// <summary>A registered interface's proxy travels as its handle; the reader builds a new proxy over it.</summary>
public sealed class HostedObjectHyperionSurrogate : Surrogate
{
    public HostedObjectHyperionSurrogate()
    {
        From = typeof(HostedObjectProxy);
        To = typeof(HostedProxySurrogate);
        ToSurrogate = proxy => HostedProxySurrogate.From((HostedObjectProxy)proxy);
        FromSurrogate = surrogate => ((HostedProxySurrogate)surrogate).Rebuild();
    }
}
