using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using PoolCluster.Child.Tasks;

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

    // One outcome only: the first of success, failure and cancellation wins; the others are ignored.
    private int _settled;
    private Action? _cancelJob;
    private CancellationTokenRegistration _tokenRegistration;
    private OperationCanceledException? _cancellation;

    internal AsyncResult(Action<R>? callback, Action<Exception>? errorCallback)
    {
        _callback = callback;
        _errorCallback = errorCallback;
    }

    /// <summary>Connects the result to its job: <paramref name="cancelJob"/> cancels it in the pool; a cancelled
    /// <paramref name="token"/> cancels the result. A token cancelled already cancels at once.</summary>
    internal void Bind(Action cancelJob, CancellationToken token)
    {
        _cancelJob = cancelJob;
        if (token.CanBeCanceled && Volatile.Read(ref _settled) == 0)
            _tokenRegistration = token.UnsafeRegister(static (state, t) => ((AsyncResult<R>)state!).CancelWith(t), this);
    }

    /// <summary>
    /// Cancels the call (as <c>concurrent.futures.Future.cancel</c>, Ray's <c>ray.cancel</c>): <see cref="Get"/> and
    /// <c>await</c> throw <see cref="OperationCanceledException"/> at once; queued chunks are dropped everywhere (every
    /// node); running ones see their <see cref="CancellationToken"/> cancelled, and a child still running one after
    /// <see cref="PoolOptions.CancelGracePeriod"/> is killed and replaced. Other calls are untouched. Does nothing once
    /// the result is ready. The error callback, if any, receives the <see cref="OperationCanceledException"/>.
    /// </summary>
    public void Cancel() => CancelWith(CancellationToken.None);

    private void CancelWith(CancellationToken token)
    {
        if (Volatile.Read(ref _settled) != 0) return;
        _cancelJob?.Invoke();
        Settle(new OperationCanceledException(
            token.CanBeCanceled ? "The call was cancelled through its CancellationToken." : "The call was cancelled (AsyncResult.Cancel).", token));
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
        if (task.IsCanceled) throw _cancellation ?? new OperationCanceledException();
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
            return true; // completed with an exception or cancelled: Get rethrows it
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
        if (Interlocked.Exchange(ref _settled, 1) != 0) return;
        _tokenRegistration.Dispose();
        if (_callback is null) { _completion.TrySetResult(value); return; }
        ThreadPool.UnsafeQueueUserWorkItem(_ =>
        {
            RunCallback(Task.FromResult(value), () => _callback(value));
            _completion.TrySetResult(value);
        }, null);
    }

    internal void Fail(Exception error)
    {
        if (error is OperationCanceledException cancelled) { Settle(cancelled); return; } // cancelled in the pool (an operator)
        if (Interlocked.Exchange(ref _settled, 1) != 0) return;
        _tokenRegistration.Dispose();
        if (_errorCallback is null) { _completion.TrySetException(error); return; }
        ThreadPool.UnsafeQueueUserWorkItem(_ =>
        {
            RunCallback(Task.FromException<R>(error), () => _errorCallback(error));
            _completion.TrySetException(error);
        }, null);
    }

    private void Settle(OperationCanceledException cancelled)
    {
        if (Interlocked.Exchange(ref _settled, 1) != 0) return;
        _cancellation = cancelled;
        // Not disposed here: this may run inside the token's own callback, and disposing would wait for it.
        _tokenRegistration.Unregister();
        if (_errorCallback is null) { _completion.TrySetCanceled(cancelled.CancellationToken); return; }
        ThreadPool.UnsafeQueueUserWorkItem(_ =>
        {
            RunCallback(Task.FromCanceled<R>(cancelled.CancellationToken.IsCancellationRequested ? cancelled.CancellationToken : new CancellationToken(true)),
                () => _errorCallback(cancelled));
            _completion.TrySetCanceled(cancelled.CancellationToken);
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
    private readonly AsyncResult<Adapters.NoResult> _inner;

    internal AsyncResult(AsyncResult<Adapters.NoResult> inner) => _inner = inner;

    /// <inheritdoc cref="AsyncResult{R}.Ready"/>
    public bool Ready => _inner.Ready;

    /// <inheritdoc cref="AsyncResult{R}.Successful"/>
    public bool Successful => _inner.Successful;

    /// <summary>Waits for completion, or rethrows the task's exception.</summary>
    /// <exception cref="TimeoutException">The task did not finish in time; it keeps running.</exception>
    public void Get(TimeSpan? timeout = null) => _inner.Get(timeout);

    /// <inheritdoc cref="AsyncResult{R}.Wait"/>
    public bool Wait(TimeSpan? timeout = null) => _inner.Wait(timeout);

    /// <inheritdoc cref="AsyncResult{R}.Cancel"/>
    public void Cancel() => _inner.Cancel();

    /// <summary>The completion as a task.</summary>
    public Task AsTask() => _inner.AsTask();

    /// <summary>Makes the result awaitable.</summary>
    public TaskAwaiter GetAwaiter() => ((Task)_inner.AsTask()).GetAwaiter();
}
