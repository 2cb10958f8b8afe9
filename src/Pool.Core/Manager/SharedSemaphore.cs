using PoolCluster.Manager;

namespace PoolCluster;

/// <summary>
/// A bounded semaphore held by a <see cref="PoolManager"/> (Python's <c>Manager().BoundedSemaphore(count)</c>): at most
/// <c>count</c> acquisitions at once. Permits taken by a process that dies are returned.
/// </summary>
public sealed class SharedSemaphore : SharedLockBase
{

    internal SharedSemaphore(ManagerAddress manager, string name, int count, TimeSpan callTimeout)
    {
        Init(ProxyState.Of(manager, name, ObjectKinds.Semaphore, [count], callTimeout));
    }

    /// <summary>The number of free permits now.</summary>
    public int CurrentCount => (int)Call("value")!;
}
