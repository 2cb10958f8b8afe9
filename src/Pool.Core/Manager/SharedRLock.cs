using PoolCluster.Manager;

namespace PoolCluster;

/// <summary>
/// A re-entrant lock held by a <see cref="PoolManager"/> (Python's <c>Manager().RLock()</c>): its owning thread may
/// acquire it again and must release it as many times.
/// </summary>
public sealed class SharedRLock : SharedLockBase
{
    private SharedRLock() { } // made by PoolManager through SharedObject.Restore

    /// <summary>Whether anybody holds the lock now.</summary>
    public bool IsLocked => (bool)Call(SharedOp.Locked)!;

    /// <summary>Whether the calling thread holds the lock.</summary>
    public bool IsHeldByCurrentThread => (bool)Call(SharedOp.Owned)!;
}
