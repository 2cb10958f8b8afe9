using Akka;
using Akka.Actor;

namespace PoolCluster.Cluster;

/// <summary>
/// Turns a cluster member into a worker node: at most <c>processes</c> child processes run tasks here at once, shared
/// fairly by every client router that discovers it.
/// On shutdown (Ctrl+C, SIGTERM, leaving the cluster) the workers drain before the member leaves: they stop taking
/// work, hand back what never started, finish what runs, and their children exit.
/// </summary>
public static class PoolNode
{
    /// <summary>Starts the node's worker host on <paramref name="system"/> (a member with the worker role).</summary>
    /// <param name="system">A cluster actor system.</param>
    /// <param name="processes">Child processes this node runs at once, across every pool and client; at least 1.</param>
    /// <returns>The host actor.</returns>
    public static IActorRef StartWorkerHost(ActorSystem system, int processes)
    {
        ArgumentNullException.ThrowIfNull(system);
        if (processes < 1) throw new ArgumentOutOfRangeException(nameof(processes), processes, "A worker node offers at least 1 process");
        var settings = ClusterSettings.Create(system.Settings.Config);
        var host = system.ActorOf(NodeWorkerHost.Props(processes, settings.AssemblyCache, NodeSettings.Create(system.Settings.Config)), settings.NodeHostName);
        var drainTimeout = TimeSpan.FromSeconds(55);
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeClusterShutdown, "poolcluster-drain-workers", async () =>
        {
            try { await host.Ask<Done>(new NodeWorkerHost.Drain(), drainTimeout); }
            catch (Exception) { /* children are killed when the system stops in any case */ }
            return Done.Instance;
        });
        return host;
    }
}
