using System.Diagnostics;
using System.Text.RegularExpressions;
using PoolCluster.Tests.Support;

namespace PoolCluster.Tests.Limits;

/// <summary>
/// Issue 9: deadlines are per item and honest (a task that finished in time is never killed for the one queued
/// behind it), results leave the child as soon as a task ends, and a lost child blames the item it was running.
/// </summary>
public sealed class TaskDeadlineTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public void Two_tasks_that_each_finish_within_TaskTimeout_both_succeed_on_one_process()
    {
        using var pool = LimitPools.OneWarmChild(TimeSpan.FromSeconds(2), out _);
        var first = pool.ApplyAsync(TestFunctions.SleepThenPid, 1500);
        var second = pool.ApplyAsync(TestFunctions.SleepThenPid, 1500);
        Assert.True(first.Get(Patience) > 0);
        Assert.True(second.Get(Patience) > 0);
    }

    [Fact]
    public void TaskTimeout_applies_to_each_item_not_to_a_chunk_of_them()
    {
        using var pool = new WorkerPool(new PoolOptions { Processes = 2, TaskTimeout = TimeSpan.FromSeconds(2) });
        // Default chunks hold 25 items of 100 ms: 2.5 s per chunk, 100 ms per item.
        var slept = pool.MapAsync(DeadlineFunctions.Sleep, Enumerable.Repeat(100, 200)).Get(Patience);
        Assert.Equal(200, slept.Count);
    }

    [Fact]
    public void A_hanging_item_fails_at_about_the_limit_naming_that_item_and_the_pool_keeps_working()
    {
        using var pool = LimitPools.OneWarmChild(TimeSpan.FromSeconds(2), out _);
        var clock = Stopwatch.StartNew();
        // One chunk of 10 items; item 5 hangs after five items of 100 ms.
        var e = Assert.Throws<TaskTimeoutException>(() => pool.MapAsync(DeadlineFunctions.HangOn5, Enumerable.Range(0, 10), chunkSize: 10).Get(Patience));
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2.4), TimeSpan.FromSeconds(10));
        Assert.Matches(new Regex(@"\bitem 5\b"), e.Message);
        Assert.Equal(new[] { 0, 1, 4 }, pool.Map(TestFunctions.Square, new[] { 0, 1, 2 }));
    }

    [Fact]
    public void The_first_Imap_result_after_a_fast_job_arrives_as_soon_as_its_item_is_done()
    {
        using var pool = new WorkerPool(1);
        // Many tiny one-item chunks: the worker learns that chunks are fast and queues deep in its child.
        Assert.Equal(2000, pool.Map(TestFunctions.Square, Enumerable.Range(0, 2000), chunkSize: 1).Count);
        var clock = Stopwatch.StartNew();
        using var results = pool.Imap(DeadlineFunctions.Sleep, Enumerable.Repeat(400, 8)).GetEnumerator();
        Assert.True(results.MoveNext());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1.5), $"the first 400 ms result took {clock.Elapsed.TotalSeconds:0.00} s");
    }

    [Fact]
    public void A_quick_result_is_not_held_back_while_a_long_task_queued_behind_it_runs()
    {
        using var pool = new WorkerPool(1);
        pool.Map(DeadlineFunctions.SleepMicros, new[] { 1, 1 }, chunkSize: 1); // compiled: the first item below stays under 1 ms
        var clock = Stopwatch.StartNew();
        // Both chunks reach the child together; the first takes well under the 1 ms a reply may be held for batching.
        using var results = pool.Imap(DeadlineFunctions.SleepMicros, new[] { 700, 8_000_000 }).GetEnumerator();
        Assert.True(results.MoveNext());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1.5), $"the first result took {clock.Elapsed.TotalSeconds:0.00} s");
    }

    [Fact]
    public void A_child_that_exits_at_item_3_is_blamed_on_item_3()
    {
        using var pool = new WorkerPool(1);
        var e = Assert.Throws<WorkerLostException>(() => pool.MapAsync(DeadlineFunctions.ExitOn3, Enumerable.Range(0, 6), chunkSize: 1).Get(Patience));
        Assert.Equal(3, e.ExitCode);
        Assert.Matches(new Regex(@"\bitem 3\b"), e.Message);
        Assert.Contains("chunk 3 ", e.TaskDescription);
        Assert.Equal(new[] { 0, 1, 4 }, pool.Map(TestFunctions.Square, new[] { 0, 1, 2 }));
    }

    [Fact]
    public void A_child_killed_with_kill_9_at_item_3_is_blamed_on_item_3()
    {
        using var pool = new WorkerPool(1);
        var pid = pool.Apply(TestFunctions.Pid);
        var map = pool.MapAsync(DeadlineFunctions.HangOn3, Enumerable.Range(0, 6), chunkSize: 1);
        Thread.Sleep(1000); // items 0..2 take microseconds; item 3 hangs
        ProcessProbe.KillHard(pid);
        var e = Assert.Throws<WorkerLostException>(() => map.Get(Patience));
        Assert.Equal(9, e.Signal);
        Assert.Matches(new Regex(@"\bitem 3\b"), e.Message);
        Assert.Contains("chunk 3 ", e.TaskDescription);
    }

    [Fact]
    public void A_hanging_item_3_is_blamed_on_item_3()
    {
        using var pool = new WorkerPool(new PoolOptions { Processes = 1, TaskTimeout = TimeSpan.FromSeconds(2) });
        var e = Assert.Throws<TaskTimeoutException>(() => pool.MapAsync(DeadlineFunctions.HangOn3, Enumerable.Range(0, 6), chunkSize: 1).Get(Patience));
        Assert.Matches(new Regex(@"\bitem 3\b"), e.Message);
        Assert.DoesNotContain("chunk 0 ", e.Message);
    }

    [Fact]
    public void The_soft_deadline_starts_again_for_each_item_of_a_chunk()
    {
        using var pool = new WorkerPool(new PoolOptions { Processes = 1, SoftTaskTimeout = TimeSpan.FromMilliseconds(300) });
        var waited = pool.Map(LimitFunctions.WaitForCancellation, new[] { 20_000, 20_000, 20_000 }, chunkSize: 3);
        Assert.All(waited, w => Assert.InRange(w, 200, 15_000));
    }
}

/// <summary>Functions for the deadline tests.</summary>
public static class DeadlineFunctions
{
    public static int Sleep(int ms) { Thread.Sleep(ms); return ms; }

    public static int SleepMicros(int micros)
    {
        if (micros >= 1000) Thread.Sleep(micros / 1000);
        else for (var clock = Stopwatch.StartNew(); clock.Elapsed.TotalMicroseconds < micros;) { }
        return micros;
    }

    public static int HangOn5(int x) { Thread.Sleep(x == 5 ? 120_000 : 100); return x; }

    public static int HangOn3(int x) { if (x == 3) Thread.Sleep(120_000); return x; }

    public static int ExitOn3(int x) { if (x == 3) Environment.Exit(3); return x; }
}
