using PoolCluster.Manager;

namespace PoolCluster;

/// <summary>
/// Common surface of the manager's lock-like objects. The owner is the calling thread of its process; a lock held by a
/// process (or node) that dies is released by the manager, so no lock stays stuck.
/// </summary>
public abstract class SharedLockBase : SharedObject
{
    private protected SharedLockBase() { }

    /// <summary>Acquires, waiting up to <paramref name="timeout"/> (null: indefinitely); dispose the result to release.</summary>
    /// <exception cref="TimeoutException">Not acquired by the deadline.</exception>
    public SharedReleaser Acquire(TimeSpan? timeout = null)
    {
        var holder = CurrentHolder();
        if (!AcquireAs(holder, timeout))
            throw new TimeoutException($"Could not acquire the shared {GetType().Name.Replace("Shared", "").ToLowerInvariant()} '{Name}' within {timeout!.Value.TotalSeconds:0.###} s");
        return new SharedReleaser(() => Call(SharedOp.Release, [], null, holder));
    }

    /// <summary>Acquires if possible within <paramref name="timeout"/> (default: now); false otherwise. Pair with <see cref="Release"/>.</summary>
    public bool TryAcquire(TimeSpan timeout = default) => AcquireAs(CurrentHolder(), timeout);

    /// <summary>Releases once on behalf of the calling thread.</summary>
    /// <exception cref="System.Threading.SynchronizationLockException">A lock not held by the calling thread.</exception>
    public void Release() => Call(SharedOp.Release);

    private bool AcquireAs(string holder, TimeSpan? timeout) => WaitFor(SharedOp.Acquire, timeout, reply => (bool)reply!, holder);
}
