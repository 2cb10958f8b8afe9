using PoolCluster.Tests.Support;

namespace PoolCluster.Tests.Limits;

public sealed class TaskLimitTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public void A_task_past_TaskTimeout_fails_with_TaskTimeoutException_its_child_is_replaced_and_the_next_task_succeeds()
    {
        using var pool = LimitPools.OneWarmChild(TimeSpan.FromSeconds(3), out var before);
        var e = Assert.Throws<TaskTimeoutException>(() => pool.Apply(TestFunctions.SleepThenPid, 20_000));
        Assert.Contains("TaskTimeout", e.Message);
        Assert.False(ProcessProbe.IsAlive(before) && ProcessProbe.WaitUntilGone([before], TimeSpan.FromSeconds(5)).Count > 0);
        var after = pool.Apply(TestFunctions.Pid);
        Assert.NotEqual(before, after);
    }

    [Fact]
    public void Work_queued_behind_a_timed_out_task_still_runs()
    {
        using var pool = new WorkerPool(new PoolOptions { Processes = 1, TaskTimeout = TimeSpan.FromSeconds(3) });
        var slow = pool.ApplyAsync(TestFunctions.SleepThenPid, 20_000);
        var queued = Enumerable.Range(0, 4).Select(i => pool.ApplyAsync(TestFunctions.Square, i)).ToList();
        Assert.Throws<TaskTimeoutException>(() => slow.Get(Patience));
        Assert.Equal(new[] { 0, 1, 4, 9 }, queued.Select(r => r.Get(Patience)));
    }

    [Fact]
    public void The_soft_deadline_cancels_the_token_a_task_receives()
    {
        using var pool = new WorkerPool(new PoolOptions { Processes = 1, SoftTaskTimeout = TimeSpan.FromMilliseconds(300) });
        var waited = pool.Apply(LimitFunctions.WaitForCancellation, 20_000);
        Assert.InRange(waited, 200, 15_000);
        var each = pool.Map(LimitFunctions.WaitForCancellation, new[] { 20_000, 20_000 }, chunkSize: 1);
        Assert.All(each, w => Assert.InRange(w, 200, 15_000));
    }

    [Fact]
    public void Without_a_soft_deadline_the_token_is_never_cancelled()
    {
        using var pool = new WorkerPool(1);
        Assert.Equal(-1, pool.Apply(LimitFunctions.WaitForCancellation, 200));
    }

    [Fact]
    public void MaxMemoryPerChild_recycles_a_child_that_grew_past_the_limit()
    {
        using var pool = new WorkerPool(new PoolOptions { Processes = 1, MaxMemoryPerChild = 150L * 1024 * 1024 });
        var first = pool.Apply(LimitFunctions.Leak, 1);
        var second = pool.Apply(LimitFunctions.Leak, 1);
        Assert.Equal(first, second); // small: the child stays
        var leaker = pool.Apply(LimitFunctions.Leak, 200);
        var next = pool.Apply(TestFunctions.Pid);
        Assert.Equal(second, leaker);
        Assert.NotEqual(leaker, next);
    }

    [Fact]
    public void A_payload_above_the_limit_fails_at_the_call_with_nothing_sent_and_the_pool_unaffected()
    {
        using var pool = new WorkerPool(new PoolOptions { Processes = 1, MaxPayloadSize = 64 * 1024 });
        var big = new byte[1024 * 1024];
        var e = Assert.Throws<PayloadTooLargeException>(() => pool.Apply((byte[] b) => b.Length, big));
        Assert.Contains("max-payload-size", e.Message);
        Assert.True(e.Size > e.Limit);
        var list = Enumerable.Range(0, 100).Select(_ => new byte[10_000]).ToList();
        Assert.Throws<PayloadTooLargeException>(() => pool.Map((byte[] b) => b.Length, list, chunkSize: 50));
        Assert.Equal(9, pool.Apply(TestFunctions.Square, 3));
        Assert.Equal(Enumerable.Repeat(10_000, 100), pool.Map((byte[] b) => b.Length, list, chunkSize: 5));
    }

    [Fact]
    public void ChildLossRetries_reruns_a_task_whose_child_died()
    {
        var marker = Path.Combine(Path.GetTempPath(), $"poolcluster-die-once-{Guid.NewGuid():N}");
        try
        {
            using var pool = new WorkerPool(new PoolOptions { Processes = 1, ChildLossRetries = 1 });
            Assert.Equal(7, pool.ApplyAsync(LimitFunctions.DieOnceThenSucceed, marker).Get(Patience));
        }
        finally
        {
            File.Delete(marker);
        }
    }
}
