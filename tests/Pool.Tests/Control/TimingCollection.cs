namespace PoolCluster.Tests.Control;

/// <summary>Tests that measure time (a cancel within 200 ms, 200 async tasks in under 2 s) run alone: on a 2-core
/// machine, tests running beside them starve the test host's thread pool, where the pool's actors run.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "timing";
}
