namespace PoolCluster;

/// <summary>
/// A task ran past <see cref="PoolOptions.TaskTimeout"/>: its child process was killed and replaced. Unlike
/// <see cref="TimeoutException"/> from <c>Get(timeout)</c>, the task is gone.
/// </summary>
public sealed class TaskTimeoutException : TimeoutException
{
    /// <summary>Creates the exception.</summary>
    public TaskTimeoutException(string message) : base(message) { }

    /// <summary>Creates the exception (the shape used to rebuild it from a worker's error).</summary>
    public TaskTimeoutException(string message, Exception? inner) : base(message, inner) { }
}
