using PoolCluster.Tests.Cluster;

namespace PoolCluster.Tests.Manager;

/// <summary>
/// Two clusters (or two standalone pools) in one process, each with its own PoolManager: a proxy reaches the manager
/// it was made by, from the caller and from its pool's children, never the other one (nothing process-wide decides).
/// </summary>
public sealed class TwoClustersInOneProcessTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    // Kept out of the test methods: a lambda capturing the pool there would share the closure that tasks ship.
    private static void WaitForWorkers(WorkerPool pool, int count) =>
        InProcessCluster.WaitFor(() => pool.Processes == count, Patience, $"{count} workers attached");

    /// <summary>A child of each pool sets "same-name" in its own manager; each value reads back as its pool set it, in
    /// the child and in the caller.</summary>
    private static void EachPoolSetsItsOwnManagersValue(WorkerPool poolA, PoolManager managerA, WorkerPool poolB, PoolManager managerB)
    {
        var valueA = managerA.Value("same-name", "unset");
        var valueB = managerB.Value("same-name", "unset");

        Assert.Equal("A", SetAndRead(poolA, valueA, "A"));
        Assert.Equal("B", SetAndRead(poolB, valueB, "B"));

        Assert.Equal("A", valueA.Value);
        Assert.Equal("B", valueB.Value);
    }

    private static string SetAndRead(WorkerPool pool, SharedValue<string> value, string tag) =>
        pool.ApplyAsync(() =>
        {
            value.Value = tag;
            return value.Value;
        }).Get(Patience);

    [Fact]
    public void A_value_by_the_same_name_holds_each_clusters_own_content_in_its_children_and_its_caller()
    {
        using var clusterA = new InProcessCluster();
        using var clusterB = new InProcessCluster();
        clusterA.StartNode(1);
        clusterB.StartNode(1);
        using var poolA = clusterA.Connect();
        using var poolB = clusterB.Connect();
        WaitForWorkers(poolA, 1);
        WaitForWorkers(poolB, 1);
        using var managerA = PoolManager.Create(poolA.System);
        using var managerB = PoolManager.Create(poolB.System);
        EachPoolSetsItsOwnManagersValue(poolA, managerA, poolB, managerB);
        // The seeds host the managers: each holds its own cluster's value.
        using var onSeedA = PoolManager.Create(clusterA.Seed);
        using var onSeedB = PoolManager.Create(clusterB.Seed);
        Assert.Equal("A", onSeedA.Value("same-name", "other").Value);
        Assert.Equal("B", onSeedB.Value("same-name", "other").Value);
    }

    [Fact]
    public void Two_standalone_pools_with_a_manager_each_keep_their_values_apart()
    {
        using var poolA = new WorkerPool(processes: 1);
        using var poolB = new WorkerPool(processes: 1);
        using var managerA = PoolManager.Create(poolA.System);
        using var managerB = new PoolManager();
        EachPoolSetsItsOwnManagersValue(poolA, managerA, poolB, managerB);
    }
}
