using PoolCluster.WireFormat.Frames;
using PoolCluster.Worker.ChildProcess;

namespace PoolCluster.Worker;

/// <summary>
/// One hard-deadline timer per child, owned by whoever drives a <see cref="ChildLifecycle"/> (the worker actor uses
/// its timer scheduler). When an armed timer fires, the owner calls <see cref="ChildLifecycle.CheckDeadline"/> on its
/// own thread.
/// </summary>
internal interface IDeadlineTimer
{
    bool IsArmed(ChildProcessHandle child);
    /// <summary>Starts or restarts the child's timer.</summary>
    void Arm(ChildProcessHandle child, TimeSpan after);
    void Cancel(ChildProcessHandle child);
}
