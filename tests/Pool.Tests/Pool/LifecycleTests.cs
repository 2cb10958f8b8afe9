using PoolCluster.Tests.Support;

namespace PoolCluster.Tests.Pool;

public sealed class LifecycleTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public void Processes_defaults_to_the_processor_count_and_must_be_positive()
    {
        using (var pool = new WorkerPool()) Assert.Equal(Environment.ProcessorCount, pool.Processes);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new WorkerPool(0));
        Assert.Contains("Processes", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new WorkerPool(new PoolOptions { Processes = 1, MaxTasksPerChild = -1 }));
    }

    [Fact]
    public void Close_finishes_queued_work_then_Join_returns_and_new_work_is_refused()
    {
        var pool = new WorkerPool(2);
        var pending = pool.MapAsync(TestFunctions.SleepThenPid, Enumerable.Repeat(100, 6), chunkSize: 1);
        pool.Close();
        Assert.True(pool.Join(Patience));
        Assert.True(pending.Ready);
        Assert.Equal(6, pending.Get().Count);
        var e = Assert.Throws<InvalidOperationException>(() => pool.Map(TestFunctions.Square, new[] { 1 }));
        Assert.Equal("Pool not running", e.Message);
        pool.Dispose();
    }

    [Fact]
    public void Join_before_Close_or_Terminate_is_refused()
    {
        using var pool = new WorkerPool(1);
        Assert.Throws<InvalidOperationException>(() => pool.Join());
    }

    [Fact]
    public void Terminate_stops_now_fails_outstanding_results_and_kills_the_children()
    {
        var pool = new WorkerPool(2);
        var pids = pool.Map(TestFunctions.PidOf, Enumerable.Range(0, 8), chunkSize: 1).Distinct().ToList();
        var sleeper = pool.ApplyAsync(Thread.Sleep, 20_000);
        pool.Terminate();
        Assert.Throws<InvalidOperationException>(() => sleeper.Get(Patience));
        Assert.Throws<InvalidOperationException>(() => pool.Apply(TestFunctions.Square, 1));
        Assert.True(pool.Join(Patience));
        Assert.Empty(ProcessProbe.WaitUntilGone(pids, TimeSpan.FromSeconds(5)));
        pool.Dispose();
    }

    [Fact]
    public void Dispose_leaves_no_child_process()
    {
        List<int> pids;
        using (var pool = new WorkerPool(new PoolOptions { Processes = 3, MaxTasksPerChild = 5 }))
        {
            pids = pool.Map(TestFunctions.PidOf, Enumerable.Range(0, 30), chunkSize: 1).Distinct().ToList();
            pool.ApplyAsync(Thread.Sleep, 20_000);
        }
        Assert.NotEmpty(pids);
        Assert.Empty(ProcessProbe.WaitUntilGone(pids, TimeSpan.FromSeconds(5)));
        Assert.Empty(ProcessProbe.ChildrenOf(Environment.ProcessId));
    }

    [Fact]
    public async Task DisposeAsync_terminates_the_pool()
    {
        var pool = new WorkerPool(1);
        var pid = pool.Apply(TestFunctions.Pid);
        await pool.DisposeAsync();
        Assert.Empty(ProcessProbe.WaitUntilGone([pid], TimeSpan.FromSeconds(5)));
        Assert.Throws<InvalidOperationException>(() => pool.Apply(TestFunctions.Pid));
    }
}
