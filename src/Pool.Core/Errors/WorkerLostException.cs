namespace PoolCluster;

/// <summary>
/// The process (or node) running a task died before the task finished: the child exited, was killed,
/// crashed natively or ran out of memory, or its node left the cluster and the retries ran out.
/// The pool has already replaced the worker; the task is not retried further.
/// </summary>
public sealed class WorkerLostException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">Human readable description.</param>
    /// <param name="taskDescription">Which task was lost (job and item range).</param>
    /// <param name="exitCode">The child's exit code when known.</param>
    /// <param name="signal">The signal that killed the child when known (Unix).</param>
    public WorkerLostException(string message, string? taskDescription = null, int? exitCode = null, int? signal = null)
        : base(message)
    {
        TaskDescription = taskDescription;
        ExitCode = exitCode;
        Signal = signal;
    }

    /// <summary>Which task was lost, e.g. "map job 3, items 40..49".</summary>
    public string? TaskDescription { get; }

    /// <summary>The exit code of the lost child process, when it is known.</summary>
    public int? ExitCode { get; }

    /// <summary>The Unix signal that ended the child (9 for kill -9), when it is known.</summary>
    public int? Signal { get; }
}
