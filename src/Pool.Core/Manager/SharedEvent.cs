using PoolCluster.Manager;

namespace PoolCluster;

/// <summary>An event held by a <see cref="PoolManager"/> (Python's <c>Manager().Event()</c>).</summary>
public sealed class SharedEvent : SharedObject
{
    private SharedEvent() { } // made by PoolManager through SharedObject.Restore

    /// <summary>Whether the event is set.</summary>
    public bool IsSet => (bool)Call(SharedOp.IsSet)!;

    /// <summary>Sets the event and wakes every waiter.</summary>
    public void Set() => Call(SharedOp.Set);

    /// <summary>Resets the event.</summary>
    public void Clear() => Call(SharedOp.Clear);

    /// <summary>Waits until the event is set or <paramref name="timeout"/> passes (null: indefinitely); returns whether it is set.</summary>
    public bool Wait(TimeSpan? timeout = null) => WaitFor(SharedOp.Wait, timeout, reply => (bool)reply!);
}
