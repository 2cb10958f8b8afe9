namespace PoolCluster;

/// <summary>
/// What a caller may set when creating a pool. Every property is optional: unset ones keep the value from HOCON
/// (<c>poolcluster.pool</c>) or, below it, PoolCluster's reference.conf, the one place defaults are written. What is
/// set goes through the same settings class (<see cref="PoolSettings.Apply"/>), checked there.
/// </summary>
public class PoolOptions
{
    /// <summary>Number of worker processes. Must be at least 1. Default: see reference.conf <c>poolcluster.pool.processes</c>
    /// (0 there means <see cref="Environment.ProcessorCount"/>).</summary>
    public int? Processes { get; set; }

    /// <summary>Most worker processes this pool may ask for; a larger <see cref="Processes"/> is refused with
    /// <see cref="ArgumentOutOfRangeException"/>. At least 1. Default: see reference.conf <c>poolcluster.pool.max-processes</c>
    /// (0 there means max(64, 16 × logical CPUs)).</summary>
    public int? MaxProcesses { get; set; }

    /// <summary>Child processes starting at once, counted over every pool of this process: this pool launches a child
    /// only while fewer are starting; the rest wait their turn. At least 1.
    /// Default: see reference.conf <c>poolcluster.pool.max-concurrent-child-starts</c>
    /// (0 there means 2 × logical CPUs).</summary>
    public int? MaxConcurrentChildStarts { get; set; }

    /// <summary>Tasks a child runs before it is replaced by a fresh one (a chunk counts as one task); 0: never.
    /// Default: see reference.conf <c>poolcluster.pool.max-tasks-per-child</c>.</summary>
    public int? MaxTasksPerChild { get; set; }

    /// <summary>Runs once in each child before its first task, e.g. <c>() =&gt; Setup.Init(42)</c>.</summary>
    public Action? Initializer { get; set; }

    /// <summary>Chunks a worker keeps in flight to its child. Default: see reference.conf <c>poolcluster.pool.chunks-in-flight-per-worker</c>.</summary>
    public int? ChunksInFlightPerWorker { get; set; }

    /// <summary>Chunks Imap/ImapUnordered submit ahead of the consumer, per process.
    /// Default: see reference.conf <c>poolcluster.pool.imap-lookahead-per-process</c>.</summary>
    public int? ImapLookaheadPerProcess { get; set; }

    /// <summary>How often a task is re-dispatched after its node was lost, before it fails.
    /// Default: see reference.conf <c>poolcluster.pool.max-retries</c>.</summary>
    public int? MaxRetries { get; set; }

    /// <summary>Re-runs of a task whose child died under it, before it fails with <see cref="WorkerLostException"/>.
    /// Default: see reference.conf <c>poolcluster.pool.child-loss-retries</c>.</summary>
    public int? ChildLossRetries { get; set; }

    /// <summary>Hard limit per task, that is per item of a Map (not per chunk): past it the child is killed and the
    /// item's chunk fails with a <see cref="TaskTimeoutException"/> naming the item. The clock starts when the item does.
    /// Default: see reference.conf <c>poolcluster.pool.task-timeout</c>.</summary>
    public TimeSpan? TaskTimeout { get; set; }

    /// <summary>Soft limit per task (per item of a Map): the task's <see cref="System.Threading.CancellationToken"/> (a
    /// parameter, or <see cref="TaskContext.Cancellation"/>) is cancelled; the task decides how to stop.
    /// Default: see reference.conf <c>poolcluster.pool.soft-task-timeout</c>.</summary>
    public TimeSpan? SoftTaskTimeout { get; set; }

    /// <summary>How long a task of a cancelled job (<see cref="AsyncResult{R}.Cancel"/>, a cancelled
    /// <see cref="System.Threading.CancellationToken"/>) may keep running after its token was cancelled; then its child
    /// is killed and replaced. Default: see reference.conf <c>poolcluster.pool.cancel-grace-period</c>.</summary>
    public TimeSpan? CancelGracePeriod { get; set; }

    /// <summary>Items of async functions (<c>Func&lt;T, Task&lt;R&gt;&gt;</c>...) one child may run at once, for I/O-bound work:
    /// 200 HTTP calls over 4 children, 50 at a time each. Synchronous functions are unaffected.
    /// Default: see reference.conf <c>poolcluster.pool.max-concurrent-tasks-per-child</c>.</summary>
    public int? MaxConcurrentTasksPerChild { get; set; }

    /// <summary>Recycle a child after a task when its resident memory exceeds this many bytes (Celery's max-memory-per-child).
    /// Default: see reference.conf <c>poolcluster.pool.max-memory-per-child</c>.</summary>
    public long? MaxMemoryPerChild { get; set; }

    /// <summary>Largest serialized function, chunk or argument a call may send, and chunk of results a child may send
    /// back, in bytes. Default: see reference.conf <c>poolcluster.pool.max-payload-size</c>.</summary>
    public int? MaxPayloadSize { get; set; }

    /// <summary>How deep an argument or result may nest (objects within objects: a linked list of n nodes nests n deep).
    /// Deeper values fail with <see cref="TaskSerializationException"/>; the stack that reads such values is sized for
    /// it. Default: see reference.conf <c>poolcluster.pool.max-value-depth</c>. Children enforce their pool's limit; the
    /// caller's process enforces the largest limit of its pools (they share one serializer).</summary>
    public int? MaxValueDepth { get; set; }

    /// <summary>How long a child may take to start. Default: see reference.conf <c>poolcluster.pool.child-start-timeout</c>.</summary>
    public TimeSpan? ChildStartTimeout { get; set; }

    /// <summary>In a cluster: use only worker nodes with this cluster role (<c>Pool.Node --role gpu</c>, <c>POOL_ROLES</c>,
    /// or <c>akka.cluster.roles</c>). Default: see reference.conf <c>poolcluster.cluster.worker-role</c> (a role every node has).</summary>
    public string? WorkerRole { get; set; }

    /// <summary><see cref="WorkerPool.Connect"/>: the host name or IP other members use to reach this client.
    /// Default: 127.0.0.1 when the seed is on loopback, else this machine's host name.</summary>
    public string? Hostname { get; set; }

    /// <summary><see cref="WorkerPool.Connect"/>: this client's TCP port. Default 0 (any free port).</summary>
    public int? Port { get; set; }

    /// <summary><see cref="WorkerPool.Connect"/>: how long to wait to become a cluster member before the call fails with a
    /// <see cref="TimeoutException"/> saying why. Default: see reference.conf <c>poolcluster.join-timeout</c>.</summary>
    public TimeSpan? ConnectTimeout { get; set; }

    /// <summary><see cref="WorkerPool.Connect"/>: mutual TLS identity; required when the cluster runs with TLS.</summary>
    public Security.TlsOptions? Tls { get; set; }

    /// <summary><see cref="WorkerPool.Connect"/>: extra HOCON for the client's actor system (e.g. TLS settings),
    /// overridden by the explicit options above.</summary>
    public Akka.Configuration.Config? Config { get; set; }
}
