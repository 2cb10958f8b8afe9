using PoolCluster.Child;
using PoolCluster.WireFormat.Frames;
using PoolCluster.Worker.ChildProcess;

namespace PoolCluster;

/// <summary>
/// What a running task can learn about itself, inside the child process that runs it.
/// </summary>
public static class TaskContext
{
    // Synchronous items run one at a time on the child's task loop: plain statics. Items of async functions may run
    // several at once, so theirs flows with the item's async context.
    private static CancellationToken _cancellation;
    private static readonly AsyncLocal<StrongBox?> AsyncItem = new();
    private static TimeSpan _softTimeout;
    private static RunningTasks _running = new(null);
    private static CancellationTokenSource? _itemSource;
    private static readonly ItemRun SyncItem = new();
    private static ChunkRun? _chunk;

    private sealed class StrongBox(CancellationToken token) { public readonly CancellationToken Token = token; }

    /// <summary>
    /// Cancelled when the task passes its soft deadline (<see cref="PoolOptions.SoftTaskTimeout"/>) or when its job is
    /// cancelled (<see cref="AsyncResult{R}.Cancel"/>, a caller's <see cref="CancellationToken"/>); never cancelled
    /// otherwise. Functions that take a <see cref="CancellationToken"/> parameter receive this token. Each item of a
    /// Map is a task of its own: the token is a fresh one, with a fresh deadline, for every item.
    /// </summary>
    public static CancellationToken Cancellation => AsyncItem.Value is { } item ? item.Token : _cancellation;

    /// <summary>True inside a pool's child process.</summary>
    public static bool InWorker { get; internal set; }

    /// <summary>The child's registry of running chunks and items (cancellation, status board).</summary>
    internal static RunningTasks Running => _running;

    /// <summary>Limits items of async functions running at once in this child (MaxConcurrentTasksPerChild).</summary>
    internal static SemaphoreSlim? AsyncLimiter { get; private set; }

    /// <summary>Set once in a child: its soft limit per item and the status board its parent reads.</summary>
    internal static void Configure(TimeSpan softTimeout, StatusBoard? board)
    {
        _softTimeout = softTimeout;
        _running = new RunningTasks(board);
    }

    /// <summary>Set once in a child when it may run several items of async functions at once.</summary>
    internal static void SetConcurrency(int maxConcurrentTasks) =>
        AsyncLimiter = maxConcurrentTasks > 1 ? new SemaphoreSlim(maxConcurrentTasks, maxConcurrentTasks) : null;

    /// <summary>A chunk (task id) starts on the task loop; false when its job was cancelled before it started.</summary>
    internal static bool BeginChunk(long taskId)
    {
        _chunk = _running.BeginChunk(taskId);
        _cancellation = CancellationToken.None;
        return _chunk is not null;
    }

    /// <summary>Item <paramref name="index"/> of the current chunk starts: its clocks (hard and soft) start now.
    /// False when its job was cancelled: the chunk must start no more items.</summary>
    internal static bool BeginItem(int index)
    {
        // One source reused while items end uncancelled: no allocation per item. A cancelled one is replaced (not
        // disposed: user code may still hold its token).
        if (_itemSource is null || !_itemSource.TryReset()) _itemSource = new CancellationTokenSource();
        if (_softTimeout > TimeSpan.Zero) _itemSource.CancelAfter(_softTimeout);
        _cancellation = _itemSource.Token;
        return _running.BeginItem(_chunk!, SyncItem, index, _itemSource);
    }

    /// <summary>The current item of the task loop ended.</summary>
    internal static void EndItem() => _running.EndItem(SyncItem);

    /// <summary>The current chunk is done: no user code runs until the next one.</summary>
    internal static void EndChunk()
    {
        if (_chunk is { } chunk) _running.EndChunk(chunk);
        _chunk = null;
        if (_itemSource is not null && !_itemSource.TryReset()) _itemSource = null;
        _cancellation = CancellationToken.None;
    }

    /// <summary>An item of an async function starts (possibly beside others): its own source, its own deadline, its
    /// token flowing with it. Null when its chunk was cancelled.</summary>
    internal static ItemRun? BeginAsyncItem(ChunkRun chunk, int index)
    {
        var source = new CancellationTokenSource();
        if (_softTimeout > TimeSpan.Zero) source.CancelAfter(_softTimeout);
        var item = new ItemRun();
        if (!_running.BeginItem(chunk, item, index, source))
        {
            _running.EndItem(item);
            return null;
        }
        AsyncItem.Value = new StrongBox(source.Token);
        return item;
    }

    /// <summary>The token of an async item begun with <see cref="BeginAsyncItem"/> on this async flow.</summary>
    internal static CancellationToken AsyncItemToken => AsyncItem.Value?.Token ?? CancellationToken.None;

    internal static void EndAsyncItem(ItemRun item)
    {
        var source = item.Source;
        _running.EndItem(item);
        AsyncItem.Value = null;
        source?.Dispose();
    }
}
