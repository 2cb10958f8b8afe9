using Akka.Actor;
using Akka.Cluster.Tools.Singleton;

namespace PoolCluster.Manager;

/// <summary>Starts the cluster's manager singleton (a <see cref="ClusterSingletonManager"/>) on a member, once per system.</summary>
internal static class ManagerSingleton
{
    private static readonly object Gate = new();

    /// <summary>
    /// Starts the singleton manager on <paramref name="system"/> when it is a cluster member with the manager role;
    /// returns whether it runs here. Idempotent.
    /// </summary>
    public static bool EnsureStarted(ActorSystem system, ManagerSettings settings)
    {
        if (system is not ExtendedActorSystem { Provider: Akka.Cluster.ClusterActorRefProvider }) return false;
        var cluster = Akka.Cluster.Cluster.Get(system);
        if (settings.Role.Length > 0 && !cluster.SelfRoles.Contains(settings.Role)) return false;
        lock (Gate)
        {
            try
            {
                // Every member with the role keeps a replica of the manager's data, whether or not it hosts the manager.
                var replicator = ManagerReplica.StartReplicator(system);
                var replica = replicator is null ? null
                    : new ManagerReplica(replicator, cluster.SelfUniqueAddress, settings.ReplicationTimeout);
                system.ActorOf(ClusterSingletonManager.Props(ManagerActor.Props(replica), PoisonPill.Instance,
                        ClusterSingletonManagerSettings.Create(system).WithRole(settings.Role.Length == 0 ? null : settings.Role)),
                    ManagerResolver.ManagerActorName);
            }
            catch (InvalidActorNameException)
            {
                // Already started on this system (by the auto-starter or an earlier call).
            }
            return true;
        }
    }
}
