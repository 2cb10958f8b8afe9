using System.Diagnostics;
using PoolCluster.Tests.Support;

namespace PoolCluster.Tests.Control;

/// <summary>Issue 11: every call form takes async functions; the child awaits them, several at once per child when
/// MaxConcurrentTasksPerChild allows.</summary>
[Collection(TimingCollection.Name)]
public sealed class AsyncFunctionTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public void Two_hundred_100ms_async_tasks_on_2_children_50_at_a_time_finish_in_under_2_s()
    {
        using var pool = new WorkerPool(new PoolOptions { Processes = 2, MaxConcurrentTasksPerChild = 50 });
        pool.Map(ControlFunctions.DelayThenReturn, [1, 2], chunkSize: 1); // children up and the function compiled
        var clock = Stopwatch.StartNew();
        var results = pool.Map(ControlFunctions.DelayThenReturn, Enumerable.Range(0, 200), chunkSize: 1);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed.TotalSeconds:0.00} s");
        Assert.Equal(Enumerable.Range(0, 200), results);
    }

    [Fact]
    public void With_the_default_of_one_task_per_child_they_run_one_after_another()
    {
        using var pool = new WorkerPool(2);
        pool.Map(ControlFunctions.DelayThenReturn, [1, 2], chunkSize: 1);
        var clock = Stopwatch.StartNew();
        var results = pool.Map(ControlFunctions.DelayThenReturn, Enumerable.Range(0, 200), chunkSize: 1);
        // 200 × 100 ms over 2 children: about 10 s.
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(40));
        Assert.Equal(Enumerable.Range(0, 200), results);
    }

    [Fact]
    public async Task Every_call_form_takes_async_functions()
    {
        using var pool = new WorkerPool(new PoolOptions { Processes = 2, MaxConcurrentTasksPerChild = 4 });
        Assert.Equal([0, 2, 4], pool.Map(async (int x) => { await Task.Yield(); return x * 2; }, [0, 1, 2]));
        Assert.Equal([1, 4], await pool.MapAsync(async (int x, CancellationToken t) => { await Task.Delay(1, t); return x * x; }, [1, 2]));
        Assert.Equal([3, 7], pool.StarMap(async (int a, int b) => { await Task.Yield(); return a + b; }, [(1, 2), (3, 4)]));
        Assert.Equal([6], pool.StarMap(async (int a, int b, int c) => { await Task.Yield(); return a + b + c; }, [(1, 2, 3)]));
        Assert.Equal([1, 4, 9], pool.Imap(async (int x) => { await Task.Yield(); return x * x; }, [1, 2, 3]).ToList());
        Assert.Equal([1, 4, 9], pool.ImapUnordered(async (int x) => { await Task.Yield(); return x * x; }, [1, 2, 3]).Order().ToList());
        Assert.Equal(42, pool.Apply(async () => { await Task.Yield(); return 42; }));
        Assert.Equal(9, await pool.ApplyAsync(async (int x) => { await Task.Yield(); return x * x; }, 3));
        Assert.Equal(5, pool.Apply(async (int a, int b) => { await Task.Yield(); return a + b; }, 2, 3));
        Assert.True(pool.Apply(ControlFunctions.DelayThenPid, 1) > 0);
        await pool.ApplyAsync(async (int ms) => await Task.Delay(ms), 1);
    }

    [Fact]
    public void An_async_function_that_throws_fails_its_own_item_with_its_type()
    {
        using var pool = new WorkerPool(new PoolOptions { Processes = 1, MaxConcurrentTasksPerChild = 8 });
        var results = pool.Imap(async (int x) => { await Task.Yield(); return x == 2 ? throw new CustomTaskException("two") : x; }, [0, 1, 2, 3]).GetEnumerator();
        Assert.True(results.MoveNext());
        Assert.True(results.MoveNext());
        var e = Assert.Throws<CustomTaskException>(() => results.MoveNext());
        Assert.Equal("two", e.Message);
        Assert.True(results.MoveNext());
        Assert.Equal(3, results.Current);
    }

    [Fact]
    public void An_async_item_past_TaskTimeout_among_concurrent_ones_is_killed_and_named()
    {
        using var pool = new WorkerPool(new PoolOptions { Processes = 1, MaxConcurrentTasksPerChild = 4, TaskTimeout = TimeSpan.FromSeconds(1) });
        pool.Apply(TestFunctions.Pid);
        var e = Assert.Throws<TaskTimeoutException>(() =>
            pool.Map(async (int x) => { if (x == 2) Thread.Sleep(60_000); else await Task.Delay(50); return x; }, [0, 1, 2, 3], chunkSize: 4));
        Assert.Contains("item 2", e.Message);
        Assert.Equal([0, 1], pool.Map(TestFunctions.Square, [0, 1]));
    }

    [Fact]
    public void The_soft_deadline_cancels_each_async_item_token()
    {
        using var pool = new WorkerPool(new PoolOptions { Processes = 1, MaxConcurrentTasksPerChild = 3, SoftTaskTimeout = TimeSpan.FromMilliseconds(300) });
        var e = Assert.Throws<TaskCanceledException>(() => pool.Apply(ControlFunctions.DelayThenPid, 30_000));
        Assert.NotNull(e);
    }
}
