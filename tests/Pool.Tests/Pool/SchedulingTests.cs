using PoolCluster.Tests.Support;
using Xunit.Abstractions;

namespace PoolCluster.Tests.Pool;

/// <summary>Issue 10: work goes to whoever is free, whatever ran before on the pool.</summary>
public sealed class SchedulingTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>Quick tasks first: they teach each worker to queue deep (up to 16 chunks) in its child.</summary>
    private static void WarmUp(WorkerPool pool)
    {
        pool.Map(TestFunctions.Square, Enumerable.Range(0, 2000), chunkSize: 1);
        pool.Imap(TestFunctions.Square, Enumerable.Range(0, 2000)).ToList();
        for (var i = 0; i < 50; i++) pool.Apply(TestFunctions.Square, i);
    }

    [Fact]
    public void After_quick_tasks_equal_chunks_are_split_evenly_over_the_workers()
    {
        using var pool = new WorkerPool(processes: 2);
        WarmUp(pool);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var pids = pool.MapAsync(TestFunctions.SleepThenPid, Enumerable.Repeat(100, 20), chunkSize: 1).Get(Patience);
        clock.Stop();
        output.WriteLine($"20 chunks of 100 ms on 2 workers after quick tasks: {clock.Elapsed.TotalSeconds:0.000} s (ideal 1.0 s); " +
                         $"per child: {string.Join("/", pids.GroupBy(p => p).Select(g => g.Count()))}");

        var perChild = pids.GroupBy(p => p).Select(g => g.Count()).ToList();
        Assert.True(perChild.Count == 2, $"one child ran all {pids.Count} chunks");
        Assert.All(perChild, n => Assert.InRange(n, 8, 12));
    }

    [Fact]
    public void A_slow_chunk_holds_back_none_of_the_fast_ones_behind_it_while_the_other_worker_is_free()
    {
        using var pool = new WorkerPool(processes: 2);
        WarmUp(pool);

        // Fast: 2 ms each, 50 of them, so they fit well inside the slow one even on a loaded machine.
        var work = new[] { 3000 }.Concat(Enumerable.Repeat(2, 50)).ToList();
        var runs = pool.MapAsync(SchedulingFunctions.SleepAndStamp, work, chunkSize: 1).Get(Patience);

        var slow = runs[0];
        var fast = runs.Skip(1).ToList();
        // Every fast chunk ran on the other child (none waited in the slow one's queue), and all of them were done
        // before the slow one ended.
        Assert.All(fast, r => Assert.NotEqual(slow.Pid, r.Pid));
        var lastFast = fast.Max(r => r.FinishedTicks);
        Assert.True(lastFast < slow.FinishedTicks,
            $"the last fast chunk finished {TimeSpan.FromTicks(lastFast - slow.FinishedTicks).TotalMilliseconds:0} ms after the slow one");
    }
}

/// <summary>Functions the scheduling tests ship to children.</summary>
public static class SchedulingFunctions
{
    /// <summary>Sleeps, then tells which child ran it and when it finished (UTC ticks; one clock for every process).</summary>
    public static (int Pid, long FinishedTicks) SleepAndStamp(int ms)
    {
        Thread.Sleep(ms);
        return (Environment.ProcessId, DateTime.UtcNow.Ticks);
    }

    /// <summary>Sleeps 100 ms, then returns the item and when it finished (UTC ticks).</summary>
    public static (int Item, long FinishedTicks) SleepAndStampItem(int item)
    {
        Thread.Sleep(100);
        return (item, DateTime.UtcNow.Ticks);
    }
}
