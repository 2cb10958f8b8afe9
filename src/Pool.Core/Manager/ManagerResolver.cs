using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Cluster.Tools.Singleton;

namespace PoolCluster.Manager;

/// <summary>
/// Per actor system: turns a <see cref="ManagerAddress"/> into something to send to: an actor selection for a manager
/// hosted by one process, or (created once per role) a cluster singleton proxy that follows the manager singleton
/// when it moves to another node.
/// </summary>
internal sealed class ManagerResolver : IExtension
{
    /// <summary>Name of the manager actor under /user, standalone or as the singleton manager's name.</summary>
    public const string ManagerActorName = "poolcluster-manager";

    private readonly ExtendedActorSystem _system;
    private readonly ConcurrentDictionary<string, IActorRef> _singletonProxies = new();

    public ManagerResolver(ExtendedActorSystem system) => _system = system;

    public static ManagerResolver Get(ActorSystem system) => system.WithExtension<ManagerResolver, ManagerResolverProvider>();

    public ICanTell Resolve(ManagerAddress address)
    {
        if (address.ActorPath is { } path)
            // A manager hosted by this very process is reached directly, even from another (local) ActorSystem.
            return LocalManagers.TryGet(path, out var local) ? local : _system.ActorSelection(path);
        var role = address.SingletonRole ?? "";
        return _singletonProxies.GetOrAdd(role, r => _system.ActorOf(
            ClusterSingletonProxy.Props($"/user/{ManagerActorName}",
                ClusterSingletonProxySettings.Create(_system).WithRole(string.IsNullOrEmpty(r) ? null : r)),
            $"{ManagerActorName}-proxy-{(string.IsNullOrEmpty(r) ? "any" : r)}"));
    }
}

internal sealed class ManagerResolverProvider : ExtensionIdProvider<ManagerResolver>
{
    public override ManagerResolver CreateExtension(ExtendedActorSystem system) => new(system);
}
