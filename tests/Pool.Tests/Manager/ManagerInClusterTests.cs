using PoolCluster.Tests.Cluster;

namespace PoolCluster.Tests.Manager;

/// <summary>The cluster's manager singleton (hosted on the seed) used from clients, nodes and their children.</summary>
public sealed class ManagerInClusterTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly InProcessCluster _cluster = new();

    public void Dispose() => _cluster.Dispose();

    // Kept out of the test methods: a lambda capturing the pool there would share the closure that tasks ship.
    private static void WaitForWorkers(WorkerPool pool, int count) =>
        InProcessCluster.WaitFor(() => pool.Processes == count, Patience, $"{count} workers attached");

    private PoolManager ConnectManager() =>
        PoolManager.Connect(_cluster.SeedAddress, new PoolOptions { Config = InProcessCluster.FastConfig });

    [Fact]
    public void A_second_proxy_by_name_sees_the_same_object_in_this_process_and_from_another_client()
    {
        using var first = ConnectManager();
        using var second = ConnectManager();
        var d = first.Dict<string, int>("shared");
        d["a"] = 1;
        Assert.Equal(1, first.Dict<string, int>("shared")["a"]);
        var other = second.Dict<string, int>("shared");
        Assert.Equal(1, other["a"]);
        other["b"] = 2;
        Assert.Equal(2, d["b"]);
    }

    [Fact]
    public void A_proxy_created_on_one_client_is_used_from_a_child_on_a_worker_node()
    {
        _cluster.StartNode(2);
        using var pool = _cluster.Connect();
        WaitForWorkers(pool, 2);
        using var manager = PoolManager.Create(pool.System);
        var squares = manager.Dict<int, int>("remote-squares");
        var counter = manager.Value("remote-counter", 0);
        var guard = manager.Lock("remote-lock");

        pool.MapAsync(x =>
        {
            squares[x] = x * x;
            using (guard.Acquire(TimeSpan.FromSeconds(30))) counter.Value = counter.Value + 1;
            return x;
        }, Enumerable.Range(0, 40), chunkSize: 1).Get(Patience);

        using var elsewhere = ConnectManager();
        Assert.Equal(40, elsewhere.Dict<int, int>("remote-squares").Count);
        Assert.Equal(40, elsewhere.Value("remote-counter", -1).Value);
        Assert.False(guard.IsLocked);
    }

    [Fact]
    public void A_lock_held_by_a_client_whose_node_dies_is_released()
    {
        var doomedSystem = Akka.Actor.ActorSystem.Create("pool", PoolClusterConfig.ForMember("127.0.0.1", 0, [_cluster.SeedAddress], ["client"], InProcessCluster.FastConfig));
        var joined = new TaskCompletionSource();
        Akka.Cluster.Cluster.Get(doomedSystem).RegisterOnMemberUp(() => joined.TrySetResult());
        Assert.True(joined.Task.Wait(Patience));
        var doomed = PoolManager.Create(doomedSystem);
        var guard = doomed.Lock("client-lock");
        guard.Acquire(TimeSpan.FromSeconds(30));
        Assert.True(guard.IsLocked);
        doomed.Dispose();
        doomedSystem.Terminate().Wait(Patience);

        using var survivor = ConnectManager();
        using (survivor.Lock("client-lock").Acquire(TimeSpan.FromSeconds(30)))
            Assert.True(survivor.Lock("client-lock").IsLocked);
    }

    [Fact]
    public void Without_a_reachable_manager_calls_raise_ManagerUnavailableException()
    {
        using var manager = ConnectManager();
        var d = manager.Dict<int, int>("before");
        d[1] = 1;
        // The seed hosts the singleton; once it is gone nobody with the manager role is left.
        _cluster.Seed.Terminate().Wait(Patience);
        d.CallTimeout = TimeSpan.FromSeconds(2);
        Assert.Throws<ManagerUnavailableException>(() => d[1] = 2);
    }
}
