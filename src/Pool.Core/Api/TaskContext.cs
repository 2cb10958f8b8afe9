using PoolCluster.ChildProcess;

namespace PoolCluster;

/// <summary>
/// What a running task can learn about itself, inside the child process that runs it.
/// </summary>
public static class TaskContext
{
    private static CancellationToken _cancellation;
    private static TimeSpan _softTimeout;
    private static CancellationTokenSource? _softDeadline;
    private static StatusBoard? _board;
    private static long _taskId;

    /// <summary>
    /// Cancelled when the task passes its soft deadline (<see cref="PoolOptions.SoftTaskTimeout"/>); never cancelled
    /// without one. Functions that take a <see cref="CancellationToken"/> parameter receive this token. Each item of a
    /// Map is a task of its own: the token is a fresh one, with a fresh deadline, for every item.
    /// </summary>
    public static CancellationToken Cancellation => _cancellation;

    /// <summary>True inside a pool's child process.</summary>
    public static bool InWorker { get; internal set; }

    /// <summary>Set once in a child: its soft limit per item and the status board its parent reads.</summary>
    internal static void Configure(TimeSpan softTimeout, StatusBoard? board)
    {
        _softTimeout = softTimeout;
        _board = board;
    }

    /// <summary>A chunk (task id) starts; until its first item starts, its time counts as the first item's.</summary>
    internal static void BeginChunk(long taskId)
    {
        _taskId = taskId;
        _cancellation = CancellationToken.None;
        _board?.Running(taskId, 0);
    }

    /// <summary>Item <paramref name="index"/> of the current chunk starts: its clocks (hard and soft) start now.</summary>
    internal static void BeginItem(int index)
    {
        _board?.Running(_taskId, index);
        if (_softTimeout <= TimeSpan.Zero) return;
        // One source reused while items finish within the soft limit: no allocation per item. A cancelled one is
        // replaced (not disposed: user code may still hold its token).
        if (_softDeadline is null || !_softDeadline.TryReset()) _softDeadline = new CancellationTokenSource();
        _softDeadline.CancelAfter(_softTimeout);
        _cancellation = _softDeadline.Token;
    }

    /// <summary>The current chunk is done: no user code runs until the next one.</summary>
    internal static void EndChunk()
    {
        _board?.Idle(_taskId);
        if (_softDeadline is not null && !_softDeadline.TryReset()) _softDeadline = null;
        _cancellation = CancellationToken.None;
    }
}
