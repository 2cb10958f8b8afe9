using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace PoolCluster;

/// <summary>
/// The outcome of an asynchronous pool call, like Python's <c>AsyncResult</c>. <see cref="Get"/> with a timeout throws
/// <see cref="TimeoutException"/> while the task keeps running; it is also awaitable.
/// </summary>
public class AsyncResult<R>
{
    private readonly TaskCompletionSource<R> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<R>? _callback;
    private readonly Action<Exception>? _errorCallback;

    // The result whose callback runs on this thread, and the outcome that callback was given: Get, Wait and Ready inside
    // a callback see it, while other threads still see the result only once the callback returned (as in Python).
    [ThreadStatic] private static object? t_callbackOf;
    private Task<R>? _callbackOutcome;

    internal AsyncResult(Action<R>? callback, Action<Exception>? errorCallback)
    {
        _callback = callback;
        _errorCallback = errorCallback;
    }

    /// <summary>Whether the call has completed (successfully or not).</summary>
    public bool Ready => Observed.IsCompleted;

    /// <summary>Whether the call completed without an exception. <see cref="InvalidOperationException"/> when not yet ready.</summary>
    public bool Successful => Ready
        ? Observed.IsCompletedSuccessfully
        : throw new InvalidOperationException("The result is not ready yet: Successful is only defined once Ready is true");

    /// <summary>Waits for the result and returns it, or rethrows the task's exception (with its remote stack trace).
    /// Inside this result's own callback it returns at once: the callback runs once the outcome is known.</summary>
    /// <param name="timeout">How long to wait; null waits until the task completes or fails.</param>
    /// <exception cref="TimeoutException">The result did not arrive in time. The task keeps running; the pool stays usable.</exception>
    public R Get(TimeSpan? timeout = null)
    {
        if (!Wait(timeout))
            throw new TimeoutException($"The result did not arrive within {timeout!.Value.TotalSeconds:0.###} s; the task is still running and the pool remains usable.");
        var task = Observed;
        if (task.IsFaulted) ExceptionDispatchInfo.Capture(task.Exception!.InnerException!).Throw();
        return task.Result;
    }

    /// <summary>Waits until the result is ready; returns false when the timeout elapsed first.</summary>
    public bool Wait(TimeSpan? timeout = null)
    {
        var task = Observed;
        if (task.IsCompleted) return true;
        try
        {
            return timeout is { } t ? task.Wait(t) : WaitForever(task);
        }
        catch (AggregateException)
        {
            return true; // completed with an exception: Get rethrows it
        }
    }

    private Task<R> Observed => ReferenceEquals(t_callbackOf, this) ? _callbackOutcome! : _completion.Task;

    private static bool WaitForever(Task task) { task.Wait(); return true; }

    /// <summary>The result as a task, for async code and composition.</summary>
    public Task<R> AsTask() => _completion.Task;

    /// <summary>Makes the result awaitable: <c>var r = await pool.ApplyAsync(F, 3);</c></summary>
    public TaskAwaiter<R> GetAwaiter() => _completion.Task.GetAwaiter();

    // Python runs callbacks before the result becomes ready; so do we, on a pool thread (never the router's). Only the
    // callback's own thread sees the outcome early (RunCallback), so that Get there does not wait for itself.
    internal void Succeed(R value)
    {
        if (_callback is null) { _completion.TrySetResult(value); return; }
        ThreadPool.UnsafeQueueUserWorkItem(_ =>
        {
            RunCallback(Task.FromResult(value), () => _callback(value));
            _completion.TrySetResult(value);
        }, null);
    }

    internal void Fail(Exception error)
    {
        if (_errorCallback is null) { _completion.TrySetException(error); return; }
        ThreadPool.UnsafeQueueUserWorkItem(_ =>
        {
            RunCallback(Task.FromException<R>(error), () => _errorCallback(error));
            _completion.TrySetException(error);
        }, null);
    }

    private void RunCallback(Task<R> outcome, Action callback)
    {
        _callbackOutcome = outcome;
        t_callbackOf = this;
        try { callback(); }
        catch (Exception e) { Console.Error.WriteLine($"PoolCluster: a result callback threw: {e}"); }
        finally { t_callbackOf = null; }
    }
}

/// <summary>The outcome of an asynchronous call that returns nothing, such as <c>pool.ApplyAsync(Thread.Sleep, 10_000)</c>.</summary>
public sealed class AsyncResult
{
    private readonly AsyncResult<Tasks.Adapters.NoResult> _inner;

    internal AsyncResult(AsyncResult<Tasks.Adapters.NoResult> inner) => _inner = inner;

    /// <inheritdoc cref="AsyncResult{R}.Ready"/>
    public bool Ready => _inner.Ready;

    /// <inheritdoc cref="AsyncResult{R}.Successful"/>
    public bool Successful => _inner.Successful;

    /// <summary>Waits for completion, or rethrows the task's exception.</summary>
    /// <exception cref="TimeoutException">The task did not finish in time; it keeps running.</exception>
    public void Get(TimeSpan? timeout = null) => _inner.Get(timeout);

    /// <inheritdoc cref="AsyncResult{R}.Wait"/>
    public bool Wait(TimeSpan? timeout = null) => _inner.Wait(timeout);

    /// <summary>The completion as a task.</summary>
    public Task AsTask() => _inner.AsTask();

    /// <summary>Makes the result awaitable.</summary>
    public TaskAwaiter GetAwaiter() => ((Task)_inner.AsTask()).GetAwaiter();
}
