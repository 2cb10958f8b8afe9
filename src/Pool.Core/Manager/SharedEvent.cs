using PoolCluster.Manager;

namespace PoolCluster;

/// <summary>An event held by a <see cref="PoolManager"/> (Python's <c>Manager().Event()</c>).</summary>
public sealed class SharedEvent : SharedObject
{

    internal SharedEvent(ManagerAddress manager, string name, TimeSpan callTimeout)
    {
        Init(ProxyState.Of(manager, name, ObjectKinds.Event, [], callTimeout));
    }

    /// <summary>Whether the event is set.</summary>
    public bool IsSet => (bool)Call("isset")!;

    /// <summary>Sets the event and wakes every waiter.</summary>
    public void Set() => Call("set");

    /// <summary>Resets the event.</summary>
    public void Clear() => Call("clear");

    /// <summary>Waits until the event is set or <paramref name="timeout"/> passes (null: indefinitely); returns whether it is set.</summary>
    public bool Wait(TimeSpan? timeout = null)
    {
        var holder = CurrentHolder();
        return WaitInSlices(timeout, slice => (bool)Call("wait", [Millis(slice)], slice, holder)!);
    }
}
