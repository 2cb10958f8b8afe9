namespace PoolCluster.Tests.Support;

/// <summary>What other threads see of a result while its callback runs.</summary>
public static class CallbackProbe
{
    /// <summary>Whether <paramref name="result"/> reads as ready on a fresh thread, asked from inside its callback (the
    /// callback's own thread sees its outcome early, so it cannot ask itself). The result is handed over through a task
    /// because the callback may run before the call that made it has returned. Null when no answer came within
    /// <paramref name="patience"/>.</summary>
    public static bool? ReadyOnAnotherThread<R>(Task<AsyncResult<R>> result, TimeSpan patience)
    {
        bool? ready = null;
        // A thread of its own: a pool task waited on here could be inlined onto the callback's thread.
        var other = new Thread(() => { if (result.Wait(patience)) ready = result.Result.Ready; }) { IsBackground = true };
        other.Start();
        return other.Join(patience) ? ready : null;
    }
}
