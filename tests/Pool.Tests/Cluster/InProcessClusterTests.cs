using Akka.Configuration;
using PoolCluster.Tests.Support;

namespace PoolCluster.Tests.Cluster;

public sealed class InProcessClusterTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly InProcessCluster _cluster = new();

    public void Dispose() => _cluster.Dispose();

    [Fact]
    public void A_client_uses_the_workers_of_a_node_that_joined()
    {
        _cluster.StartNode(2);
        using var pool = _cluster.Connect();
        InProcessCluster.WaitFor(() => pool.Processes == 2, Patience, "2 workers attached");
        Assert.Equal(Enumerable.Range(0, 40).Select(x => x * x), pool.Map(TestFunctions.Square, Enumerable.Range(0, 40), chunkSize: 1));
        Assert.Equal(25, pool.Apply(TestFunctions.Square, 5));
    }

    [Fact]
    public void The_pool_grows_while_a_job_runs_when_a_second_node_joins()
    {
        _cluster.StartNode(1);
        using var pool = _cluster.Connect();
        InProcessCluster.WaitFor(() => pool.Processes == 1, Patience, "1 worker attached");
        var job = pool.MapAsync(TestFunctions.SleepThenPid, Enumerable.Repeat(50, 120), chunkSize: 1);
        _cluster.StartNode(2);
        InProcessCluster.WaitFor(() => pool.Processes == 3, Patience, "3 workers attached");
        var pids = job.Get(Patience);
        Assert.Equal(120, pids.Count);
        Assert.True(pids.Distinct().Count() >= 2, "work spread over more than one child");
    }

    [Fact]
    public void A_node_lost_mid_job_loses_no_task()
    {
        var doomed = _cluster.StartNode(2);
        _cluster.StartNode(1);
        using var pool = _cluster.Connect();
        InProcessCluster.WaitFor(() => pool.Processes == 3, Patience, "3 workers attached");
        var job = pool.MapAsync(TestFunctions.SleepThenPid, Enumerable.Repeat(30, 200), chunkSize: 1);
        Thread.Sleep(1000);
        // Abrupt: the node's remoting goes away without leaving the cluster.
        doomed.Terminate().Wait(TimeSpan.FromSeconds(30));
        var results = job.Get(Patience);
        Assert.Equal(200, results.Count);
        Assert.All(results, pid => Assert.True(pid > 0));
    }

    [Fact]
    public void Without_workers_a_Map_waits_and_starts_when_a_node_joins()
    {
        using var pool = _cluster.Connect();
        Assert.Equal(0, pool.Processes);
        var job = pool.MapAsync(TestFunctions.Square, Enumerable.Range(0, 10), chunkSize: 1);
        Assert.False(job.Wait(TimeSpan.FromSeconds(2)));
        _cluster.StartNode(1);
        Assert.Equal(Enumerable.Range(0, 10).Select(x => x * x), job.Get(Patience));
    }

    [Fact]
    public void Without_workers_and_with_a_timeout_a_Map_fails_clearly()
    {
        using var pool = _cluster.Connect(new PoolOptions { Config = ConfigurationFactory.ParseString("poolcluster.cluster.no-workers-timeout = 1s") });
        var e = Assert.Throws<NoWorkersException>(() => pool.Map(TestFunctions.Square, new[] { 1, 2 }));
        Assert.Contains("no-workers-timeout", e.Message);
        _cluster.StartNode(1);
        InProcessCluster.WaitFor(() => pool.Processes == 1, Patience, "1 worker attached");
        Assert.Equal(new[] { 1, 4 }, pool.Map(TestFunctions.Square, new[] { 1, 2 }));
    }

    [Fact]
    public void Connect_to_nothing_fails_with_a_clear_timeout()
    {
        var e = Assert.Throws<TimeoutException>(() => WorkerPool.Connect("akka.tcp://pool@127.0.0.1:1", new PoolOptions { ConnectTimeout = TimeSpan.FromSeconds(2) }));
        Assert.Contains("Pool.Seed", e.Message);
        Assert.Throws<ArgumentException>(() => WorkerPool.Connect("not an address"));
    }
}
