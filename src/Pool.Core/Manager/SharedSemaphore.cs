using PoolCluster.Manager;

namespace PoolCluster;

/// <summary>
/// A bounded semaphore held by a <see cref="PoolManager"/> (Python's <c>Manager().BoundedSemaphore(count)</c>): at most
/// <c>count</c> acquisitions at once. Permits taken by a process that dies are returned.
/// </summary>
public sealed class SharedSemaphore : SharedLockBase
{
    private SharedSemaphore() { } // made by PoolManager through SharedObject.Restore

    /// <summary>The number of free permits now.</summary>
    public int CurrentCount => (int)Call(SharedOp.Value)!;
}
