namespace PoolCluster.Tests.Pool;

/// <summary>One 2-process pool shared by tests that leave it healthy (saves a pool start per test).</summary>
public sealed class SharedPoolFixture : IDisposable
{
    public WorkerPool Pool { get; } = new(processes: 2);

    public void Dispose() => Pool.Dispose();
}
