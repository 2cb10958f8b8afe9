using Akka.Configuration;

namespace PoolCluster;

/// <summary>
/// The pool's effective settings, read from the <c>poolcluster.pool</c> section of HOCON. Immutable; use the
/// <c>With*</c> methods for copies. <see cref="PoolOptions"/> overrides apply on top via <see cref="Apply"/>.
/// </summary>
public sealed record PoolSettings
{
    /// <summary>Number of worker processes (resolved: never 0).</summary>
    public int Processes { get; init; }

    /// <summary>Most worker processes one pool may have (a larger <see cref="Processes"/> is refused).</summary>
    public int MaxProcesses { get; init; }

    /// <summary>Child processes starting at once, over every pool of this process; further starts wait their turn.</summary>
    public int MaxConcurrentChildStarts { get; init; }

    /// <summary>Tasks a child runs before it is replaced; 0 means never.</summary>
    public int MaxTasksPerChild { get; init; }

    /// <summary>Chunks a worker keeps in flight to its child (the least it keeps while it has work).</summary>
    public int ChunksInFlightPerWorker { get; init; }

    /// <summary>Ceiling of the adaptive in-flight depth: when chunks run fast, a worker queues up to this many in its
    /// child, as many as fit in about 2 ms of the child's recent run time per chunk.</summary>
    public int MaxChunksInFlightPerWorker { get; init; }

    /// <summary>Chunks Imap/ImapUnordered keep submitted ahead of the consumer, per process.</summary>
    public int ImapLookaheadPerProcess { get; init; }

    /// <summary>How long a child may take from spawn to connecting its pipe.</summary>
    public TimeSpan ChildStartTimeout { get; init; }

    /// <summary>How long Close and Terminate wait for children to exit before killing them.</summary>
    public TimeSpan ChildShutdownTimeout { get; init; }

    /// <summary>Largest frame accepted on a child pipe, in bytes.</summary>
    public int MaxFrameSize { get; init; }

    /// <summary>How often a task is re-dispatched after its worker was lost (node loss), before it fails.</summary>
    public int MaxRetries { get; init; }

    /// <summary>How often a task is re-run after the child running it died, before it fails.</summary>
    public int ChildLossRetries { get; init; }

    /// <summary>Hard time limit per task; null for none.</summary>
    public TimeSpan? TaskTimeout { get; init; }

    /// <summary>Soft time limit per task (its CancellationToken is cancelled); null for none.</summary>
    public TimeSpan? SoftTaskTimeout { get; init; }

    /// <summary>Resident memory above which a child is recycled after a task; null for no limit.</summary>
    public long? MaxMemoryPerChild { get; init; }

    /// <summary>Largest payload a call may send, and a result may bring back, in bytes.</summary>
    public int MaxPayloadSize { get; init; }

    /// <summary>How deep an argument or result may nest (objects within objects, e.g. a linked list's length).</summary>
    public int MaxValueDepth { get; init; }

    /// <summary>How long a task of a cancelled job may keep running (ignoring its token) before its child is killed and replaced.</summary>
    public TimeSpan CancelGracePeriod { get; init; }

    /// <summary>Items of async functions one child may run at once (1: one item at a time, as synchronous functions).</summary>
    public int MaxConcurrentTasksPerChild { get; init; }

    /// <summary>Reads settings from a config that contains (or falls back to) the <c>poolcluster.pool</c> section.</summary>
    public static PoolSettings Create(Config config)
    {
        var c = config.WithFallback(PoolClusterConfig.DefaultConfig()).GetConfig("poolcluster.pool");
        var processes = c.GetInt("processes", 0);
        var maxProcesses = c.GetInt("max-processes", 0);
        var maxStarts = c.GetInt("max-concurrent-child-starts", 0);
        return new PoolSettings
        {
            Processes = processes > 0 ? processes : Environment.ProcessorCount,
            MaxProcesses = maxProcesses > 0 ? maxProcesses : DefaultMaxProcesses,
            MaxConcurrentChildStarts = maxStarts > 0 ? maxStarts : ChildProcess.ChildGroup.DefaultMaxConcurrentStarts,
            MaxTasksPerChild = c.GetInt("max-tasks-per-child", 0),
            ChunksInFlightPerWorker = Math.Max(1, c.GetInt("chunks-in-flight-per-worker", 2)),
            MaxChunksInFlightPerWorker = Math.Max(1, c.GetInt("max-chunks-in-flight-per-worker", 16)),
            ImapLookaheadPerProcess = Math.Max(1, c.GetInt("imap-lookahead-per-process", 32)),
            ChildStartTimeout = c.GetTimeSpan("child-start-timeout", TimeSpan.FromSeconds(60)),
            ChildShutdownTimeout = c.GetTimeSpan("child-shutdown-timeout", TimeSpan.FromSeconds(5)),
            MaxFrameSize = (int)Math.Min(int.MaxValue, c.GetByteSize("max-frame-size") ?? 512L * 1024 * 1024),
            MaxRetries = c.GetInt("max-retries", 3),
            ChildLossRetries = c.GetInt("child-loss-retries", 0),
            TaskTimeout = OptionalTimeSpan(c, "task-timeout"),
            SoftTaskTimeout = OptionalTimeSpan(c, "soft-task-timeout"),
            MaxMemoryPerChild = c.GetString("max-memory-per-child", "off") is "off" or "" ? null : c.GetByteSize("max-memory-per-child"),
            MaxPayloadSize = (int)Math.Min(int.MaxValue, c.GetByteSize("max-payload-size") ?? 64L * 1024 * 1024),
            MaxValueDepth = Math.Max(1, c.GetInt("max-value-depth", Serialization.ValueDepthGuard.DefaultMaxDepth)),
            CancelGracePeriod = c.GetTimeSpan("cancel-grace-period", TimeSpan.FromSeconds(5)),
            MaxConcurrentTasksPerChild = Math.Max(1, c.GetInt("max-concurrent-tasks-per-child", 1)),
        };
    }

    /// <summary>max(64, 16 × logical CPUs): see <c>max-processes</c> in reference.conf.</summary>
    internal static int DefaultMaxProcesses => Math.Max(64, 16 * Environment.ProcessorCount);

    private static TimeSpan? OptionalTimeSpan(Config c, string key) =>
        c.GetString(key, "off") is "off" or "" ? null : c.GetTimeSpan(key);

    /// <summary>The defaults from the embedded reference.conf.</summary>
    public static PoolSettings Default { get; } = Create(Config.Empty);

    /// <summary>Returns a copy with another process count.</summary>
    public PoolSettings WithProcesses(int processes) => this with { Processes = processes };

    /// <summary>Returns a copy with another per-child task limit.</summary>
    public PoolSettings WithMaxTasksPerChild(int maxTasksPerChild) => this with { MaxTasksPerChild = maxTasksPerChild };

    /// <summary>Returns a copy with another number of chunks in flight per worker.</summary>
    public PoolSettings WithChunksInFlightPerWorker(int chunks) => this with { ChunksInFlightPerWorker = chunks };

    /// <summary>Returns a copy with another retry bound.</summary>
    public PoolSettings WithMaxRetries(int maxRetries) => this with { MaxRetries = maxRetries };

    /// <summary>Applies the options that are set, validating them; unset options keep these settings.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range, or Processes is above MaxProcesses; the exception names it.</exception>
    public PoolSettings Apply(PoolOptions? options)
    {
        if (options is null) return this;
        var applied = this with
        {
            Processes = Checked(options.Processes, Processes, min: 1, nameof(options.Processes), "Number of processes must be at least 1"),
            MaxProcesses = Checked(options.MaxProcesses, MaxProcesses, min: 1, nameof(options.MaxProcesses), "MaxProcesses must be at least 1"),
            MaxConcurrentChildStarts = Checked(options.MaxConcurrentChildStarts, MaxConcurrentChildStarts, min: 1, nameof(options.MaxConcurrentChildStarts), "MaxConcurrentChildStarts must be at least 1"),
            MaxTasksPerChild = Checked(options.MaxTasksPerChild, MaxTasksPerChild, min: 0, nameof(options.MaxTasksPerChild), "MaxTasksPerChild must be 0 (never recycle) or positive"),
            ChunksInFlightPerWorker = Checked(options.ChunksInFlightPerWorker, ChunksInFlightPerWorker, min: 1, nameof(options.ChunksInFlightPerWorker), "ChunksInFlightPerWorker must be at least 1"),
            ImapLookaheadPerProcess = Checked(options.ImapLookaheadPerProcess, ImapLookaheadPerProcess, min: 1, nameof(options.ImapLookaheadPerProcess), "ImapLookaheadPerProcess must be at least 1"),
            MaxRetries = Checked(options.MaxRetries, MaxRetries, min: 0, nameof(options.MaxRetries), "MaxRetries must not be negative"),
            ChildLossRetries = Checked(options.ChildLossRetries, ChildLossRetries, min: 0, nameof(options.ChildLossRetries), "ChildLossRetries must not be negative"),
            MaxPayloadSize = Checked(options.MaxPayloadSize, MaxPayloadSize, min: 1, nameof(options.MaxPayloadSize), "MaxPayloadSize must be positive (bytes)"),
            MaxValueDepth = Checked(options.MaxValueDepth, MaxValueDepth, min: 1, nameof(options.MaxValueDepth), "MaxValueDepth must be at least 1 (levels of nesting)"),
            MaxMemoryPerChild = options.MaxMemoryPerChild is { } mm
                ? Checked<long>(mm, 0, min: 1, nameof(options.MaxMemoryPerChild), "MaxMemoryPerChild must be positive (bytes)")
                : MaxMemoryPerChild,
            MaxConcurrentTasksPerChild = Checked(options.MaxConcurrentTasksPerChild, MaxConcurrentTasksPerChild, min: 1, nameof(options.MaxConcurrentTasksPerChild), "MaxConcurrentTasksPerChild must be at least 1 (1: one async item at a time per child)"),
            CancelGracePeriod = options.CancelGracePeriod is { } cg ? Positive(cg, nameof(options.CancelGracePeriod)) : CancelGracePeriod,
            ChildStartTimeout = options.ChildStartTimeout is { } cs ? Positive(cs, nameof(options.ChildStartTimeout)) : ChildStartTimeout,
            TaskTimeout = options.TaskTimeout is { } tt ? Positive(tt, nameof(options.TaskTimeout)) : TaskTimeout,
            SoftTaskTimeout = options.SoftTaskTimeout is { } st ? Positive(st, nameof(options.SoftTaskTimeout)) : SoftTaskTimeout,
        };
        if (applied.Processes > applied.MaxProcesses)
            throw new ArgumentOutOfRangeException(nameof(options.Processes), applied.Processes,
                $"Processes = {applied.Processes} is above the maximum of {applied.MaxProcesses} worker processes per pool " +
                $"(max(64, 16 x {Environment.ProcessorCount} logical CPUs) unless configured). Each is a whole .NET runtime " +
                "(~50 MB, ~0.2 s of CPU to start). Use fewer processes, or raise the limit with PoolOptions.MaxProcesses " +
                "or poolcluster.pool.max-processes.");
        return applied;
    }

    private static T Checked<T>(T? value, T current, T min, string name, string rule) where T : struct, IComparable<T> =>
        value is not { } v ? current
        : v.CompareTo(min) >= 0 ? v
        : throw new ArgumentOutOfRangeException(name, v, rule);

    private static TimeSpan Positive(TimeSpan value, string name) =>
        value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive");
}
