namespace PoolCluster.Child.Tasks;

/// <summary>
/// Small serializable wrappers that turn every call shape (no argument, several arguments, no result) into the
/// one <c>Func&lt;T,R&gt;</c> shape a <see cref="MapBody{T,R}"/> runs. The user's delegate is a field, so it travels
/// through the same delegate surrogate as any other function.
/// </summary>
internal static class Adapters
{
    /// <summary>The item type for calls that take no argument.</summary>
    public readonly record struct NoArg;

    /// <summary>The result type for calls that return nothing.</summary>
    public readonly record struct NoResult;

    public sealed class Thunk<R>(Func<R> function)
    {
        public Func<R> Function = function;
        public R Invoke(NoArg _) => Function();
    }

    public sealed class Procedure<T>(Action<T> action)
    {
        public Action<T> Action = action;
        public NoResult Invoke(T arg) { Action(arg); return default; }
    }

    public sealed class Star2<T1, T2, R>(Func<T1, T2, R> function)
    {
        public Func<T1, T2, R> Function = function;
        public R Invoke((T1, T2) args) => Function(args.Item1, args.Item2);
    }

    public sealed class Star3<T1, T2, T3, R>(Func<T1, T2, T3, R> function)
    {
        public Func<T1, T2, T3, R> Function = function;
        public R Invoke((T1, T2, T3) args) => Function(args.Item1, args.Item2, args.Item3);
    }

    public sealed class WithCancellation<T, R>(Func<T, CancellationToken, R> function)
    {
        public Func<T, CancellationToken, R> Function = function;
        public R Invoke(T arg) => Function(arg, TaskContext.Cancellation);
    }

    // Async forms reduce to Func<T, CancellationToken, Task<R>>, which AsyncMapBody awaits.

    public sealed class AsyncFunc<T, R>(Func<T, Task<R>> function)
    {
        public Func<T, Task<R>> Function = function;
        public Task<R> Invoke(T arg, CancellationToken _) => Function(arg);
    }

    public sealed class AsyncThunk<R>(Func<Task<R>> function)
    {
        public Func<Task<R>> Function = function;
        public Task<R> Invoke(NoArg _, CancellationToken __) => Function();
    }

    public sealed class AsyncProcedure<T>(Func<T, Task> function)
    {
        public Func<T, Task> Function = function;
        public async Task<NoResult> Invoke(T arg, CancellationToken _) { await Function(arg).ConfigureAwait(false); return default; }
    }

    public sealed class AsyncStar2<T1, T2, R>(Func<T1, T2, Task<R>> function)
    {
        public Func<T1, T2, Task<R>> Function = function;
        public Task<R> Invoke((T1, T2) args, CancellationToken _) => Function(args.Item1, args.Item2);
    }

    public sealed class AsyncStar3<T1, T2, T3, R>(Func<T1, T2, T3, Task<R>> function)
    {
        public Func<T1, T2, T3, Task<R>> Function = function;
        public Task<R> Invoke((T1, T2, T3) args, CancellationToken _) => Function(args.Item1, args.Item2, args.Item3);
    }

    public sealed class Initializer(Action action)
    {
        public Action Action = action;
        public void Run() => Action();
    }
}
