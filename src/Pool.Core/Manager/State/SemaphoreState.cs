namespace PoolCluster.Manager.State;

/// <summary>
/// A shared bounded semaphore: <c>count</c> permits; acquire takes one (true, or false at the deadline); release
/// returns one (releasing more than were ever taken is a <see cref="SemaphoreFullException"/>). Permits taken by a
/// holder whose process or node dies are returned.
/// </summary>
internal sealed class SemaphoreState(int permits) : SharedState
{
    private readonly int count = permits;
    private readonly WaiterQueue _waiters = new();
    private readonly Dictionary<string, int> _taken = new(StringComparer.Ordinal);
    private int _free = permits;

    public override string Kind => ObjectKinds.Semaphore;

    public override void Execute(ManagerOp op)
    {
        switch (op.Operation)
        {
            case SharedOp.Acquire:
                if (_free > 0) { Take(op.Holder); op.Reply(true); }
                else if (op.Timeout(0) == TimeSpan.Zero) op.Reply(false);
                else _waiters.Add(op.Host.Park(op, op.Timeout(0)));
                break;
            case SharedOp.Release:
                if (_free >= count)
                {
                    op.Fail(new SemaphoreFullException($"The shared semaphore '{op.Name}' was released more times than it was acquired."));
                    break;
                }
                if (_taken.TryGetValue(op.Holder, out var n)) { if (n <= 1) _taken.Remove(op.Holder); else _taken[op.Holder] = n - 1; }
                _free++;
                GrantWaiting(op.Host);
                op.Reply(null);
                break;
            case SharedOp.Value: op.Reply(_free); break;
            default: op.Fail(Unknown(op)); break;
        }
    }

    private void Take(string holder)
    {
        _free--;
        _taken[holder] = _taken.GetValueOrDefault(holder) + 1;
    }

    private void GrantWaiting(IWaiterHost host)
    {
        while (_free > 0 && _waiters.TakeFirst(host) is { } next)
        {
            Take(next.Holder);
            ManagerOp.Send(next.ReplyTo, true);
        }
    }

    public override void Expire(long waiterId)
    {
        if (_waiters.Remove(waiterId) is { } w) ManagerOp.Send(w.ReplyTo, false);
    }

    public override void ReleaseHolder(string gone, IWaiterHost host)
    {
        _waiters.RemoveHolder(gone, host);
        foreach (var holder in _taken.Keys.Where(h => HolderIds.BelongsTo(h, gone)).ToList())
        {
            _free = Math.Min(count, _free + _taken[holder]);
            _taken.Remove(holder);
        }
        GrantWaiting(host);
    }
}
