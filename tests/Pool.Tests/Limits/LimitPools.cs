using PoolCluster.Tests.Support;

namespace PoolCluster.Tests.Limits;

/// <summary>The pool the deadline tests start from: one process with a hard <see cref="PoolOptions.TaskTimeout"/>, its
/// child already up, so that the child's start is not counted as task time.</summary>
internal static class LimitPools
{
    /// <param name="taskTimeout">The pool's hard per-item deadline.</param>
    /// <param name="childPid">The pid of the child that is up.</param>
    public static WorkerPool OneWarmChild(TimeSpan taskTimeout, out int childPid)
    {
        var pool = new WorkerPool(new PoolOptions { Processes = 1, TaskTimeout = taskTimeout });
        try
        {
            childPid = pool.Apply(TestFunctions.Pid);
            return pool;
        }
        catch
        {
            pool.Dispose();
            throw;
        }
    }
}
