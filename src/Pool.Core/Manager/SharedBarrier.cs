using PoolCluster.Manager;

namespace PoolCluster;

/// <summary>
/// A barrier held by a <see cref="PoolManager"/> (Python's <c>Manager().Barrier(parties)</c>): <see cref="Wait"/>
/// returns once <see cref="Parties"/> callers wait, then the barrier resets for the next round.
/// </summary>
public sealed class SharedBarrier : SharedObject
{
    private SharedBarrier() { } // made by PoolManager through SharedObject.Restore

    /// <summary>The number of participants a round needs.</summary>
    public int Parties => (int)Call(SharedOp.Parties)!;

    /// <summary>How many wait now.</summary>
    public int Waiting => (int)Call(SharedOp.Waiting)!;

    /// <summary>Waits for the other parties, up to <paramref name="timeout"/> (null: indefinitely); returns this caller's
    /// arrival index in the round (0 .. Parties-1).</summary>
    /// <exception cref="TimeoutException">The round did not fill by the deadline (this caller left it; the others keep waiting).</exception>
    public int Wait(TimeSpan? timeout = null)
    {
        var index = -1;
        var done = WaitFor(SharedOp.Wait, timeout, reply =>
        {
            if (reply is not int i) return false;
            index = i;
            return true;
        });
        if (!done) throw new TimeoutException($"The shared barrier '{Name}' did not fill within {timeout!.Value.TotalSeconds:0.###} s");
        return index;
    }
}
