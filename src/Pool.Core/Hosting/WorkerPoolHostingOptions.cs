namespace PoolCluster.Hosting;

/// <summary>
/// Options for <see cref="WorkerPoolHostingExtensions.WithWorkerPool(Akka.Hosting.AkkaConfigurationBuilder, WorkerPoolHostingOptions?)"/>.
/// As with Akka.Hosting's own option classes, every property is nullable and only what is set overrides the
/// <c>poolcluster.pool</c> HOCON (from <c>AddHocon</c>) and PoolCluster's embedded defaults.
/// </summary>
/// <remarks>
/// <see cref="PoolOptions.Hostname"/>, <see cref="PoolOptions.Port"/>, <see cref="PoolOptions.ConnectTimeout"/> and
/// <see cref="PoolOptions.Config"/> have no counterpart here: a hosted pool lives in the application's own actor system,
/// whose address and HOCON come from <c>WithRemoting</c>, <c>WithClustering</c> and <c>AddHocon</c>.
/// </remarks>
public sealed class WorkerPoolHostingOptions
{
    /// <summary>
    /// In a local actor system: the number of worker processes (default <see cref="Environment.ProcessorCount"/>).
    /// In a cluster member: worker processes the pool starts in this process besides the workers of the cluster's
    /// worker nodes (default none), as <see cref="WorkerPool.Create"/> does. At least 1 when set.
    /// </summary>
    public int? Processes { get; set; }

    /// <summary>Tasks a child runs before it is replaced by a fresh one. Default: never (0).</summary>
    public int? MaxTasksPerChild { get; set; }

    /// <summary>Runs once in each child before its first task, e.g. <c>() =&gt; Setup.Init(42)</c>.</summary>
    public Action? Initializer { get; set; }

    /// <summary>Chunks a worker keeps in flight to its child. Default 2.</summary>
    public int? ChunksInFlightPerWorker { get; set; }

    /// <summary>Chunks Imap/ImapUnordered submit ahead of the consumer, per process. Default 4.</summary>
    public int? ImapLookaheadPerProcess { get; set; }

    /// <summary>How often a task is re-dispatched after its node was lost, before it fails. Default 3.</summary>
    public int? MaxRetries { get; set; }

    /// <summary>How long a child may take to start. Default 60 s.</summary>
    public TimeSpan? ChildStartTimeout { get; set; }

    /// <summary>
    /// Also make this cluster member a worker node (what <c>Pool.Node</c> does): it offers
    /// <see cref="WorkerNodeProcesses"/> child processes to the pools of every client in the cluster, this one included.
    /// Requires Akka.Cluster (<c>WithClustering</c>) and the worker role (<c>worker</c> unless
    /// <c>poolcluster.cluster.worker-role</c> says otherwise) among this member's roles.
    /// Default: false, or true when only <see cref="WorkerNodeProcesses"/> is set.
    /// </summary>
    public bool? ServeAsWorkerNode { get; set; }

    /// <summary>Child processes this member offers as a worker node. Default: <c>poolcluster.pool.processes</c>,
    /// which defaults to <see cref="Environment.ProcessorCount"/>. At least 1 when set.</summary>
    public int? WorkerNodeProcesses { get; set; }

    /// <summary>Whether the member serves as a worker node once the defaults are applied.</summary>
    internal bool ServesAsWorkerNode => ServeAsWorkerNode ?? WorkerNodeProcesses is not null;

    /// <summary>The options <see cref="WorkerPool.Create"/> takes; unset values stay unset.</summary>
    internal PoolOptions ToPoolOptions() => new()
    {
        Processes = Processes,
        MaxTasksPerChild = MaxTasksPerChild,
        Initializer = Initializer,
        ChunksInFlightPerWorker = ChunksInFlightPerWorker,
        ImapLookaheadPerProcess = ImapLookaheadPerProcess,
        MaxRetries = MaxRetries,
        ChildStartTimeout = ChildStartTimeout,
    };

    /// <summary>A snapshot, so that changing the caller's object after <c>WithWorkerPool</c> changes nothing.</summary>
    internal WorkerPoolHostingOptions Copy() => (WorkerPoolHostingOptions)MemberwiseClone();

    /// <summary>Fails at configuration time, with the offending property named, rather than when the host starts.</summary>
    internal void Validate()
    {
        PoolSettings.Default.Apply(ToPoolOptions());
        if (WorkerNodeProcesses is < 1)
            throw new ArgumentOutOfRangeException(nameof(WorkerNodeProcesses), WorkerNodeProcesses, "A worker node offers at least 1 process");
        if (ChildStartTimeout is { } t && t <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(ChildStartTimeout), t, "ChildStartTimeout must be positive");
    }
}
