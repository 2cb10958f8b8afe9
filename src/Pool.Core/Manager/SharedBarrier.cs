using PoolCluster.Manager;

namespace PoolCluster;

/// <summary>
/// A barrier held by a <see cref="PoolManager"/> (Python's <c>Manager().Barrier(parties)</c>): <see cref="Wait"/>
/// returns once <see cref="Parties"/> callers wait, then the barrier resets for the next round.
/// </summary>
public sealed class SharedBarrier : SharedObject
{

    internal SharedBarrier(ManagerAddress manager, string name, int parties, TimeSpan callTimeout)
    {
        Init(ProxyState.Of(manager, name, ObjectKinds.Barrier, [parties], callTimeout));
    }

    /// <summary>The number of participants a round needs.</summary>
    public int Parties => (int)Call("parties")!;

    /// <summary>How many wait now.</summary>
    public int Waiting => (int)Call("waiting")!;

    /// <summary>Waits for the other parties, up to <paramref name="timeout"/> (null: indefinitely); returns this caller's
    /// arrival index in the round (0 .. Parties-1).</summary>
    /// <exception cref="TimeoutException">The round did not fill by the deadline (this caller left it; the others keep waiting).</exception>
    public int Wait(TimeSpan? timeout = null)
    {
        var holder = CurrentHolder();
        var index = -1;
        var done = WaitInSlices(timeout, slice =>
        {
            var reply = Call("wait", [Millis(slice)], slice, holder);
            if (reply is not int i) return false;
            index = i;
            return true;
        });
        if (!done) throw new TimeoutException($"The shared barrier '{Name}' did not fill within {timeout!.Value.TotalSeconds:0.###} s");
        return index;
    }
}
