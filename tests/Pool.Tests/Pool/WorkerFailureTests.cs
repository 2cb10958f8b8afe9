using PoolCluster.Tests.Support;

namespace PoolCluster.Tests.Pool;

public sealed class WorkerFailureTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public void Kill_9_of_a_child_mid_task_raises_WorkerLostException_and_the_next_task_succeeds()
    {
        using var pool = new WorkerPool(1);
        var pid = pool.Apply(TestFunctions.Pid);
        var running = pool.ApplyAsync(TestFunctions.SleepThenPid, 30_000);
        Thread.Sleep(300); // let the child start the task
        ProcessProbe.KillHard(pid);
        var e = Assert.Throws<WorkerLostException>(() => running.Get(TimeSpan.FromSeconds(10)));
        Assert.Equal(9, e.Signal);
        Assert.Contains("apply job", e.TaskDescription);
        Assert.Contains(pid.ToString(), e.Message);
        var next = pool.Apply(TestFunctions.Pid);
        Assert.NotEqual(pid, next);
    }

    [Fact]
    public void A_child_that_exits_mid_task_fails_only_that_task_and_queued_work_still_runs()
    {
        using var pool = new WorkerPool(1);
        var dying = pool.ApplyAsync(TestFunctions.ExitProcess, 3);
        var after = Enumerable.Range(0, 5).Select(i => pool.ApplyAsync(TestFunctions.Square, i)).ToList();
        var e = Assert.Throws<WorkerLostException>(() => dying.Get(Patience));
        Assert.Equal(3, e.ExitCode);
        // The child host's own codes are named, without claiming that the child host chose this one.
        Assert.Contains("exit code 3 (the child host exits with 3 when the pool's initializer fails)", e.Message);
        Assert.Equal(new[] { 0, 1, 4, 9, 16 }, after.Select(r => r.Get(Patience)));
    }

    [Fact]
    public void MaxTasksPerChild_recycles_children()
    {
        using var pool = new WorkerPool(new PoolOptions { Processes = 1, MaxTasksPerChild = 2 });
        var pids = Enumerable.Range(0, 10).Select(_ => pool.Apply(TestFunctions.Pid)).ToList();
        Assert.True(pids.Distinct().Count() >= 5, $"pids: {string.Join(",", pids)}");
        // each child ran at most two tasks
        Assert.All(pids.GroupBy(p => p), g => Assert.True(g.Count() <= 2));
    }

    [Fact]
    public void A_chunk_counts_as_one_task_for_MaxTasksPerChild()
    {
        using var pool = new WorkerPool(new PoolOptions { Processes = 1, MaxTasksPerChild = 1 });
        var pids = pool.Map(TestFunctions.PidOf, Enumerable.Range(0, 12), chunkSize: 4);
        Assert.Equal(3, pids.Distinct().Count());
        Assert.Equal(4, pids.Take(4).Distinct().Count() * 4);
    }

    [Fact]
    public void Initializer_runs_once_in_each_child_before_its_first_task()
    {
        using var pool = new WorkerPool(new PoolOptions { Processes = 2, Initializer = () => TestFunctions.Init(42) });
        var seen = pool.Map(TestFunctions.ReadInitialized, Enumerable.Range(0, 20), chunkSize: 1);
        Assert.All(seen, v => Assert.Equal(42_001, v));
    }

    [Fact]
    public void A_throwing_initializer_fails_pending_and_later_calls_with_a_clear_error()
    {
        using var pool = new WorkerPool(new PoolOptions { Processes = 2, Initializer = TestFunctions.FailingInit });
        var pending = pool.ApplyAsync(TestFunctions.Square, 2);
        var e = Assert.Throws<PoolInitializerException>(() => pending.Get(Patience));
        Assert.Contains("initializer", e.Message);
        Assert.IsType<ArgumentException>(e.InnerException);
        Assert.Throws<PoolInitializerException>(() => pool.Map(TestFunctions.Square, new[] { 1, 2 }));
    }
}
