using Akka.Configuration;
using PoolCluster.Worker.ChildProcess;

namespace PoolCluster;

/// <summary>
/// The pool's effective settings, read from the <c>poolcluster.pool</c> section of HOCON over reference.conf (the only
/// place defaults are written). Immutable; copies with <c>with</c> or the <c>With*</c> methods.
/// <see cref="PoolOptions"/> overrides apply on top via <see cref="Apply"/>.
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

    /// <summary>Reads the <c>poolcluster.pool</c> section of <paramref name="config"/> over reference.conf, which holds
    /// every default (<c>0</c> for processes, max-processes and max-concurrent-child-starts means what it says there).</summary>
    /// <exception cref="ConfigurationException">A key is missing from both (PoolCluster's defaults were replaced).</exception>
    public static PoolSettings Create(Config config)
    {
        var c = HoconSection.Of(config, "poolcluster.pool");
        var processes = c.Int("processes");
        var maxProcesses = c.Int("max-processes");
        var maxStarts = c.Int("max-concurrent-child-starts");
        return new PoolSettings
        {
            Processes = processes > 0 ? processes : Environment.ProcessorCount,
            MaxProcesses = maxProcesses > 0 ? maxProcesses : DefaultMaxProcesses,
            MaxConcurrentChildStarts = maxStarts > 0 ? maxStarts : ChildGroup.DefaultMaxConcurrentStarts,
            MaxTasksPerChild = c.Int("max-tasks-per-child"),
            ChunksInFlightPerWorker = Math.Max(1, c.Int("chunks-in-flight-per-worker")),
            MaxChunksInFlightPerWorker = Math.Max(1, c.Int("max-chunks-in-flight-per-worker")),
            ImapLookaheadPerProcess = Math.Max(1, c.Int("imap-lookahead-per-process")),
            ChildStartTimeout = c.Duration("child-start-timeout"),
            ChildShutdownTimeout = c.Duration("child-shutdown-timeout"),
            MaxFrameSize = (int)Math.Min(int.MaxValue, c.Bytes("max-frame-size")),
            MaxRetries = c.Int("max-retries"),
            ChildLossRetries = c.Int("child-loss-retries"),
            TaskTimeout = c.OptionalDuration("task-timeout"),
            SoftTaskTimeout = c.OptionalDuration("soft-task-timeout"),
            MaxMemoryPerChild = c.OptionalBytes("max-memory-per-child"),
            MaxPayloadSize = (int)Math.Min(int.MaxValue, c.Bytes("max-payload-size")),
            MaxValueDepth = Math.Max(1, c.Int("max-value-depth")),
            CancelGracePeriod = c.Duration("cancel-grace-period"),
            MaxConcurrentTasksPerChild = Math.Max(1, c.Int("max-concurrent-tasks-per-child")),
        };
    }

    /// <summary>max(64, 16 × logical CPUs): see <c>max-processes</c> in reference.conf.</summary>
    internal static int DefaultMaxProcesses => Math.Max(64, 16 * Environment.ProcessorCount);

    /// <summary>The defaults from the embedded reference.conf.</summary>
    public static PoolSettings Default { get; } = Create(Config.Empty);

    /// <summary>Returns a copy with another per-child task limit.</summary>
    public PoolSettings WithMaxTasksPerChild(int maxTasksPerChild) => this with { MaxTasksPerChild = maxTasksPerChild };

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
