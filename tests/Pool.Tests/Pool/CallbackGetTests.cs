using PoolCluster.Tests.Support;

namespace PoolCluster.Tests.Pool;

/// <summary>A callback that reads its own result: Get and Wait inside it see the outcome it was called with.</summary>
public sealed class CallbackGetTests(SharedPoolFixture fixture) : IClassFixture<SharedPoolFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan InsideWait = TimeSpan.FromSeconds(2);
    private WorkerPool Pool => fixture.Pool;

    [Fact]
    public void Get_inside_the_ApplyAsync_callback_returns_the_value()
    {
        AsyncResult<int>? self = null;
        var seen = new TaskCompletionSource<(int Get, int GetWithTimeout, bool Ready, bool Waited)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new ManualResetEventSlim();
        self = Pool.ApplyAsync(TestFunctions.Square, 7, callback: _ =>
        {
            started.Wait(Patience);
            try { seen.TrySetResult((self!.Get(), self.Get(InsideWait), self.Ready, self.Wait(InsideWait))); }
            catch (Exception e) { seen.TrySetException(e); }
        });
        started.Set();

        // Bounded: a Get that blocks inside the callback fails this test instead of hanging it.
        Assert.True(seen.Task.Wait(Patience), "Get() inside the callback did not return");
        Assert.Equal((49, 49, true, true), seen.Task.Result);
        Assert.Equal(49, self.Get(Patience));
    }

    [Fact]
    public void Get_inside_the_error_callback_throws_the_tasks_error()
    {
        AsyncResult<int>? self = null;
        var seen = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new ManualResetEventSlim();
        self = Pool.ApplyAsync(TestFunctions.ThrowInvalid, 3, errorCallback: _ =>
        {
            started.Wait(Patience);
            try { self!.Get(InsideWait); seen.TrySetException(new Exception("Get returned instead of throwing")); }
            catch (Exception e) { seen.TrySetResult(e); }
        });
        started.Set();

        Assert.True(seen.Task.Wait(Patience), "Get() inside the error callback did not return");
        var inside = Assert.IsType<InvalidOperationException>(seen.Task.Result);
        Assert.Equal("invalid 3", inside.Message);
        // Other threads see the outcome once the callback has returned, as in Python.
        Assert.True(self.Wait(Patience), "the result did not become ready after its error callback");
        Assert.False(self.Successful);
    }

    [Fact]
    public void Get_inside_the_MapAsync_callback_returns_the_list()
    {
        AsyncResult<IReadOnlyList<int>>? self = null;
        var seen = new TaskCompletionSource<(IReadOnlyList<int> Get, IReadOnlyList<int> GetWithTimeout)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new ManualResetEventSlim();
        self = Pool.MapAsync(TestFunctions.Square, new[] { 1, 2, 3 }, callback: _ =>
        {
            started.Wait(Patience);
            try { seen.TrySetResult((self!.Get(), self.Get(InsideWait))); }
            catch (Exception e) { seen.TrySetException(e); }
        });
        started.Set();

        Assert.True(seen.Task.Wait(Patience), "Get() inside the MapAsync callback did not return");
        Assert.Equal(new[] { 1, 4, 9 }, seen.Task.Result.Get);
        Assert.Equal(new[] { 1, 4, 9 }, seen.Task.Result.GetWithTimeout);
    }

    [Fact]
    public void Other_threads_still_see_the_result_only_after_the_callback_ran()
    {
        var callbackDone = false;
        var release = new ManualResetEventSlim();
        var r = Pool.ApplyAsync(TestFunctions.Square, 5, callback: _ => { release.Wait(Patience); callbackDone = true; });
        Assert.Throws<TimeoutException>(() => r.Get(TimeSpan.FromMilliseconds(300)));
        Assert.False(r.Ready);
        release.Set();
        Assert.Equal(25, r.Get(Patience));
        Assert.True(callbackDone);
    }
}
