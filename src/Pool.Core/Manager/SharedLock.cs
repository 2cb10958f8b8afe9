using PoolCluster.Manager;

namespace PoolCluster;

/// <summary>
/// A lock held by a <see cref="PoolManager"/> (Python's <c>Manager().Lock()</c>), excluding threads of every process
/// and node that use it. Not re-entrant: the owner acquiring again waits (use <see cref="SharedRLock"/>).
/// </summary>
public sealed class SharedLock : SharedLockBase
{

    internal SharedLock(ManagerAddress manager, string name, TimeSpan callTimeout)
    {
        Init(ProxyState.Of(manager, name, ObjectKinds.Lock, [], callTimeout));
    }

    /// <summary>Whether anybody holds the lock now.</summary>
    public bool IsLocked => (bool)Call("locked")!;
}
