using PoolCluster.Manager;

namespace PoolCluster;

/// <summary>
/// A lock held by a <see cref="PoolManager"/> (Python's <c>Manager().Lock()</c>), excluding threads of every process
/// and node that use it. Not re-entrant: the owner acquiring again waits (use <see cref="SharedRLock"/>).
/// </summary>
public sealed class SharedLock : SharedLockBase
{
    private SharedLock() { } // made by PoolManager through SharedObject.Restore

    /// <summary>Whether anybody holds the lock now.</summary>
    public bool IsLocked => (bool)Call(SharedOp.Locked)!;
}
