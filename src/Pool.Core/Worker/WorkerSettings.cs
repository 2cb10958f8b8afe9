namespace PoolCluster.Worker;

/// <summary>What a worker needs to run its children: the pool's limits and the serialized initializer.</summary>
internal sealed record WorkerSettings(
    int ChunksInFlight,
    int MaxTasksPerChild,
    int MaxFrameSize,
    TimeSpan ChildStartTimeout,
    byte[] InitializerBody)
{
    /// <summary>Assembly files shipped by the client, for children on a worker node to load (empty for local workers).</summary>
    public IReadOnlyList<string> ShippedAssemblyPaths { get; init; } = [];

    public static WorkerSettings From(PoolSettings s, byte[] initializerBody) =>
        new(s.ChunksInFlightPerWorker, s.MaxTasksPerChild, s.MaxFrameSize, s.ChildStartTimeout, initializerBody);
}
