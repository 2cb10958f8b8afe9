using PoolCluster.Cluster;
using PoolCluster.Worker;
using PoolCluster.Worker.ChildProcess;

namespace PoolCluster.Router;

/// <summary>Live figures a router publishes to its WorkerPool without a message round trip.</summary>
internal sealed class PoolStats
{
    private int _workers;

    /// <summary>Workers the router can use now (local and on worker nodes).</summary>
    public int Workers => Volatile.Read(ref _workers);

    internal void SetWorkers(int count) => Volatile.Write(ref _workers, count);
}

/// <summary>Everything a router is created with.</summary>
/// <param name="Settings">The pool's settings.</param>
/// <param name="Workers">What every worker (local or remote) runs with.</param>
/// <param name="LocalWorkers">Workers to start in this process.</param>
/// <param name="Cluster">When set, discover and attach worker nodes of the cluster.</param>
/// <param name="Stats">Figures the router publishes.</param>
/// <param name="Stopped">Completed when the router has stopped (after Close or Terminate).</param>
/// <param name="Children">The child processes of the local workers, which the pool kills and waits for when it terminates.</param>
internal sealed record RouterSetup(
    PoolSettings Settings,
    WorkerSettings Workers,
    int LocalWorkers,
    ClusterSettings? Cluster,
    PoolStats Stats,
    TaskCompletionSource Stopped,
    ChildGroup? Children = null);
