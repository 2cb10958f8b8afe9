namespace PoolCluster.Worker;

/// <summary>What a worker needs to run its children: the pool's limits and the serialized initializer. Built from
/// <see cref="PoolSettings"/> by <see cref="From"/> only (every limit is required: no second set of defaults).</summary>
internal sealed record WorkerSettings(
    int ChunksInFlight,
    int MaxTasksPerChild,
    int MaxFrameSize,
    TimeSpan ChildStartTimeout,
    byte[] InitializerBody)
{
    /// <summary>Ceiling of the adaptive in-flight depth (at least <see cref="ChunksInFlight"/>).</summary>
    public required int MaxChunksInFlight { get; init; }

    /// <summary>Hard limit per task; null for none.</summary>
    public required TimeSpan? TaskTimeout { get; init; }

    /// <summary>Soft limit per task, enforced in the child through the task's cancellation token.</summary>
    public required TimeSpan? SoftTaskTimeout { get; init; }

    /// <summary>Recycle a child after a task when its resident memory is above this many bytes.</summary>
    public required long? MaxMemoryPerChild { get; init; }

    /// <summary>Largest chunk of results a child may send back, in bytes (checked in the child).</summary>
    public required int MaxPayloadSize { get; init; }

    /// <summary>How deep a value a child may read or write may nest.</summary>
    public required int MaxValueDepth { get; init; }

    /// <summary>How long a cancelled task may keep running in the child before the child is killed and replaced.</summary>
    public required TimeSpan CancelGracePeriod { get; init; }

    /// <summary>Items of async functions a child may run at once.</summary>
    public required int MaxConcurrentTasksPerChild { get; init; }

    /// <summary>Assembly files shipped by the client, for children on a worker node to load (empty for local workers).</summary>
    public IReadOnlyList<string> ShippedAssemblyPaths { get; init; } = [];

    public static WorkerSettings From(PoolSettings s, byte[] initializerBody) =>
        new(s.ChunksInFlightPerWorker, s.MaxTasksPerChild, s.MaxFrameSize, s.ChildStartTimeout, initializerBody)
        {
            MaxChunksInFlight = Math.Max(s.ChunksInFlightPerWorker, s.MaxChunksInFlightPerWorker),
            TaskTimeout = s.TaskTimeout,
            SoftTaskTimeout = s.SoftTaskTimeout,
            MaxMemoryPerChild = s.MaxMemoryPerChild,
            MaxPayloadSize = s.MaxPayloadSize,
            MaxValueDepth = s.MaxValueDepth,
            CancelGracePeriod = s.CancelGracePeriod,
            MaxConcurrentTasksPerChild = s.MaxConcurrentTasksPerChild,
        };
}
