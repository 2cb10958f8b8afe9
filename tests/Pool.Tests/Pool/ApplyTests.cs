using PoolCluster.Tests.Support;

namespace PoolCluster.Tests.Pool;

public sealed class ApplyTests(SharedPoolFixture fixture) : IClassFixture<SharedPoolFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private WorkerPool Pool => fixture.Pool;

    [Fact]
    public void Apply_forms_run_in_a_child()
    {
        Assert.Equal(400, Pool.Apply(TestFunctions.Square, 20));
        Assert.NotEqual(Environment.ProcessId, Pool.Apply(TestFunctions.Pid));
        Assert.Equal("ab", Pool.Apply((string a, string b) => a + b, "a", "b"));
        // The Action form returns once the action has run, and it ran in a child.
        var marker = Path.Combine(Path.GetTempPath(), $"poolcluster-apply-{Guid.NewGuid():N}");
        try
        {
            Pool.Apply(TestFunctions.WritePidTo, marker);
            Assert.NotEqual(Environment.ProcessId, int.Parse(File.ReadAllText(marker)));
        }
        finally { File.Delete(marker); }
    }

    [Fact]
    public void ApplyAsync_get_with_timeout_raises_TimeoutException_and_the_pool_stays_usable()
    {
        var slow = Pool.ApplyAsync(Thread.Sleep, 3_000);
        Assert.Throws<TimeoutException>(() => slow.Get(TimeSpan.FromMilliseconds(200)));
        Assert.False(slow.Ready);
        Assert.Throws<InvalidOperationException>(() => slow.Successful);
        Assert.Equal(9, Pool.ApplyAsync(TestFunctions.Square, 3).Get(Patience));
        Assert.True(slow.Wait(Patience));
        Assert.True(slow.Successful);
    }

    [Fact]
    public void ApplyAsync_callback_runs_before_ready_on_another_thread()
    {
        var callerThread = Environment.CurrentManagedThreadId;
        var callbackThread = -1;
        var value = 0;
        bool? readyElsewhere = null;
        var self = new TaskCompletionSource<AsyncResult<int>>();
        var r = Pool.ApplyAsync(TestFunctions.Square, 6, callback: v =>
        {
            value = v;
            callbackThread = Environment.CurrentManagedThreadId;
            readyElsewhere = CallbackProbe.ReadyOnAnotherThread(self.Task, Patience);
        });
        self.SetResult(r);
        Assert.Equal(36, r.Get(Patience));
        Assert.Equal(36, value);
        Assert.NotEqual(callerThread, callbackThread);
        Assert.False(readyElsewhere, "while the callback ran, another thread saw the result as ready (or could not tell)");
    }

    [Fact]
    public void ApplyAsync_error_callback_receives_the_rebuilt_exception()
    {
        Exception? seen = null;
        var r = Pool.ApplyAsync(TestFunctions.ThrowInvalid, 1, errorCallback: e => seen = e);
        var e = Assert.Throws<InvalidOperationException>(() => r.Get(Patience));
        Assert.Equal("invalid 1", e.Message);
        Assert.Same(e, seen);
    }

    [Fact]
    public async Task AsyncResult_is_awaitable()
    {
        Assert.Equal(49, await Pool.ApplyAsync(TestFunctions.Square, 7));
        Assert.Equal(new[] { 1, 4 }, await Pool.MapAsync(TestFunctions.Square, new[] { 1, 2 }).AsTask());
        var action = Pool.ApplyAsync(Thread.Sleep, 1);
        await action; // an Action's result is awaitable too, and completes
        Assert.True(action.Successful);
    }

    [Fact]
    public void Many_async_calls_complete()
    {
        var results = Enumerable.Range(0, 500).Select(i => Pool.ApplyAsync(TestFunctions.Square, i)).ToList();
        Assert.Equal(Enumerable.Range(0, 500).Select(i => i * i), results.Select(r => r.Get(Patience)));
    }
}
