using PoolCluster.WireFormat.Frames;
using PoolCluster.WireFormat.Messages;
using PoolCluster.Worker.ChildProcess;

namespace PoolCluster.Worker;

/// <summary>A worker's bookkeeping for one child process: what it was sent, in order, and what it already knows.</summary>
internal sealed class ChildSlot(ChildProcessHandle handle)
{
    public ChildProcessHandle Handle { get; } = handle;

    /// <summary>Chunks sent and not answered, in the order the child runs them: the head is the running one.</summary>
    public Queue<TaskChunk> InFlight { get; } = new();

    /// <summary>Function ids this child has been sent.</summary>
    public HashSet<int> Functions { get; } = [];

    /// <summary>Tasks sent to this child over its life (for MaxTasksPerChild).</summary>
    public int Sent { get; set; }

    /// <summary>The task (and item within it, when the status board told) this child was killed for, having run past
    /// its hard time limit.</summary>
    public (long TaskId, int? Item)? TimedOut { get; set; }

    /// <summary>When the worker last saw this child get work or make progress (a <see cref="System.Diagnostics.Stopwatch"/>
    /// timestamp): the start of the hard-deadline clock while the board names no item of ours.</summary>
    public long ProgressSince { get; set; }

    /// <summary>Retire after the tasks in flight (its memory grew past the limit).</summary>
    public bool RetireRequested { get; set; }

    /// <summary>Tasks in flight here whose job was cancelled: never run again in a successor, never blamed.</summary>
    public HashSet<long> Cancelled { get; } = [];

    /// <summary>Killed because a cancelled task still ran after the grace period: nothing else is blamed for its death.</summary>
    public bool KilledForCancel { get; set; }

    /// <summary>Chunks this child answered (for the dashboard).</summary>
    public long Done { get; set; }

    /// <summary>The child said Ready (its initializer ran).</summary>
    public bool Ready { get; set; }
}
