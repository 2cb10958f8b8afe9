namespace PoolCluster.Hosting;

/// <summary>
/// Options for <see cref="WorkerPoolHostingExtensions.WithWorkerPool(Akka.Hosting.AkkaConfigurationBuilder, WorkerPoolHostingOptions?)"/>.
/// As with Akka.Hosting's own option classes, every property is nullable and only what is set overrides the
/// <c>poolcluster.pool</c> HOCON (from <c>AddHocon</c>) and PoolCluster's embedded defaults.
/// </summary>
/// <remarks>
/// Every <see cref="PoolOptions"/> setting applies. <see cref="PoolOptions.Hostname"/>, <see cref="PoolOptions.Port"/>,
/// <see cref="PoolOptions.ConnectTimeout"/>, <see cref="PoolOptions.Tls"/> and <see cref="PoolOptions.Config"/> are
/// ignored here: a hosted pool lives in the application's own actor system, whose address, TLS and HOCON come from
/// <c>WithRemoting</c>, <c>WithClustering</c> and <c>AddHocon</c>. <see cref="PoolOptions.Processes"/>: in a local actor
/// system the number of worker processes; in a member that serves as a worker node the most children the node runs
/// at once for every pool in the cluster, this one included (unless <see cref="WorkerNodeProcesses"/> is set); in
/// another cluster member the workers this process adds besides the cluster's worker nodes (default none), as
/// <see cref="WorkerPool.Create"/> does.
/// </remarks>
public sealed class WorkerPoolHostingOptions : PoolOptions
{
    /// <summary>
    /// Also make this cluster member a worker node (what <c>Pool.Node</c> does): it offers
    /// <see cref="WorkerNodeProcesses"/> child processes to the pools of every client in the cluster, this one included.
    /// Requires Akka.Cluster (<c>WithClustering</c>) and the worker role (<c>worker</c> unless
    /// <c>poolcluster.cluster.worker-role</c> says otherwise) among this member's roles.
    /// Default: false, or true when only <see cref="WorkerNodeProcesses"/> is set.
    /// </summary>
    public bool? ServeAsWorkerNode { get; set; }

    /// <summary>Child processes this member runs at once as a worker node, shared by every pool in the cluster.
    /// Default: <see cref="PoolOptions.Processes"/>, else <c>poolcluster.pool.processes</c> (see reference.conf).
    /// At least 1 when set.</summary>
    public int? WorkerNodeProcesses { get; set; }

    /// <summary>Whether the member serves as a worker node once the defaults are applied.</summary>
    internal bool ServesAsWorkerNode => ServeAsWorkerNode ?? WorkerNodeProcesses is not null;

    /// <summary>A snapshot, so that changing the caller's object after <c>WithWorkerPool</c> changes nothing.</summary>
    internal WorkerPoolHostingOptions Copy() => (WorkerPoolHostingOptions)MemberwiseClone();

    /// <summary>Fails at configuration time, with the offending property named, rather than when the host starts.</summary>
    internal void Validate()
    {
        PoolSettings.Default.Apply(this);
        if (WorkerNodeProcesses is < 1)
            throw new ArgumentOutOfRangeException(nameof(WorkerNodeProcesses), WorkerNodeProcesses, "A worker node offers at least 1 process");
    }
}
