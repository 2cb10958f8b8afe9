namespace PoolCluster;

/// <summary>
/// What a running task can learn about itself, inside the child process that runs it.
/// </summary>
public static class TaskContext
{
    private static CancellationToken _cancellation;

    /// <summary>
    /// Cancelled when the task passes its soft deadline (<see cref="PoolOptions.SoftTaskTimeout"/>); never cancelled
    /// without one. Functions that take a <see cref="CancellationToken"/> parameter receive this token.
    /// </summary>
    public static CancellationToken Cancellation => _cancellation;

    /// <summary>True inside a pool's child process.</summary>
    public static bool InWorker { get; internal set; }

    internal static void Begin(CancellationToken token) => _cancellation = token;
}
