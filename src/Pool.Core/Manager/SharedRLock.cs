using PoolCluster.Manager;

namespace PoolCluster;

/// <summary>
/// A re-entrant lock held by a <see cref="PoolManager"/> (Python's <c>Manager().RLock()</c>): its owning thread may
/// acquire it again and must release it as many times.
/// </summary>
public sealed class SharedRLock : SharedLockBase
{

    internal SharedRLock(ManagerAddress manager, string name, TimeSpan callTimeout)
    {
        Init(ProxyState.Of(manager, name, ObjectKinds.RLock, [], callTimeout));
    }

    /// <summary>Whether anybody holds the lock now.</summary>
    public bool IsLocked => (bool)Call("locked")!;

    /// <summary>Whether the calling thread holds the lock.</summary>
    public bool IsHeldByCurrentThread => (bool)Call("owned")!;
}
