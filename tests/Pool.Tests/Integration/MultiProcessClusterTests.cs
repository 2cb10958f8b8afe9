using PoolCluster.Tests.Cluster;
using PoolCluster.Tests.Support;

namespace PoolCluster.Tests.Integration;

/// <summary>Issue 3's acceptance scenarios with seed, nodes and client as separate OS processes on loopback.</summary>
public sealed class MultiProcessClusterTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private readonly ClusterProcesses _cluster = new();

    public void Dispose() => _cluster.Dispose();

    [Fact]
    public void A_node_added_mid_job_takes_work_and_a_node_killed_9_mid_job_loses_nothing()
    {
        var first = _cluster.StartNode(2);
        using var pool = _cluster.Connect();
        InProcessCluster.WaitFor(() => pool.Processes == 2, Patience, "the first node's workers");

        var job = pool.MapAsync(NodeFunctions.SleepAndReportNode, Enumerable.Range(0, 600), chunkSize: 1);
        Thread.Sleep(1500);
        var second = _cluster.StartNode(2);
        InProcessCluster.WaitFor(() => pool.Processes == 4, Patience, "the second node's workers");
        Thread.Sleep(1000);
        first.KillHard();

        var results = job.Get(Patience);
        Assert.Equal(Enumerable.Range(0, 600).Select(i => i * 1000), results.Select(r => r.Value));
        Assert.Contains(results, r => r.NodePid == second.Pid);
        Assert.Contains(results, r => r.NodePid == first.Pid);
    }

    [Fact]
    public void With_no_worker_node_a_Map_waits_and_runs_once_a_node_joins()
    {
        using var pool = _cluster.Connect();
        var job = pool.MapAsync(TestFunctions.Square, Enumerable.Range(0, 20), chunkSize: 1);
        Assert.False(job.Wait(TimeSpan.FromSeconds(3)));
        _cluster.StartNode(1);
        Assert.Equal(Enumerable.Range(0, 20).Select(x => x * x), job.Get(Patience));
    }

    [Fact]
    public void A_node_stopped_with_SIGTERM_mid_job_loses_no_task_and_its_children_exit()
    {
        var leaving = _cluster.StartNode(2);
        _cluster.StartNode(1);
        using var pool = _cluster.Connect();
        InProcessCluster.WaitFor(() => pool.Processes == 3, Patience, "3 workers");

        var job = pool.MapAsync(NodeFunctions.SleepAndReportNode, Enumerable.Range(0, 300), chunkSize: 1);
        Thread.Sleep(2000);
        var leavingChildren = ProcessProbe.ChildrenOf(leaving.Pid);
        Assert.NotEmpty(leavingChildren);
        leaving.Terminate();

        var results = job.Get(Patience);
        Assert.Equal(Enumerable.Range(0, 300).Select(i => i * 1000), results.Select(r => r.Value));
        Assert.True(leaving.Process.WaitForExit(60_000), "the node exits after draining:\n" + leaving.Output);
        Assert.Equal(0, leaving.Process.ExitCode);
        Assert.Empty(ProcessProbe.WaitUntilGone(leavingChildren, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void A_cancelled_Map_on_two_nodes_throws_at_once_runs_few_items_and_the_next_Map_is_correct()
    {
        // Issue 11's acceptance on a cluster: 2 nodes of 1 process each, the same numbers as on 2 local processes.
        _cluster.StartNode(1);
        _cluster.StartNode(1);
        using var pool = _cluster.Connect();
        InProcessCluster.WaitFor(() => pool.Processes == 2, Patience, "both nodes' workers");
        Assert.Equal([0, 1, 4, 9], pool.Map(TestFunctions.Square, [0, 1, 2, 3], chunkSize: 1)); // children up on both nodes
        var counter = Path.Combine(Path.GetTempPath(), $"poolcluster-cluster-cancel-{Guid.NewGuid():N}");
        try
        {
            Control.CancellationTests.AssertCancelledMapRunsFewItems(pool, counter);
        }
        finally
        {
            File.Delete(counter);
        }
    }
}
