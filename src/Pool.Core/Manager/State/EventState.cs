namespace PoolCluster.Manager.State;

/// <summary>A shared event (Python's <c>Event</c>): set wakes every waiter; wait replies true, or false at the deadline.</summary>
internal sealed class EventState : SharedState
{
    private readonly WaiterQueue _waiters = new();
    private bool _set;

    public override string Kind => ObjectKinds.Event;

    public override void Execute(ManagerOp op)
    {
        switch (op.Operation)
        {
            case SharedOp.Set:
                _set = true;
                foreach (var w in _waiters.TakeAll(op.Host)) ManagerOp.Send(w.ReplyTo, true);
                op.Reply(null);
                break;
            case SharedOp.Clear: _set = false; op.Reply(null); break;
            case SharedOp.IsSet: op.Reply(_set); break;
            case SharedOp.Wait:
                if (_set) op.Reply(true);
                else if (op.Timeout(0) == TimeSpan.Zero) op.Reply(false);
                else _waiters.Add(op.Host.Park(op, op.Timeout(0)));
                break;
            default: op.Fail(Unknown(op)); break;
        }
    }

    public override void Expire(long waiterId)
    {
        if (_waiters.Remove(waiterId) is { } w) ManagerOp.Send(w.ReplyTo, false);
    }

    public override void ReleaseHolder(string gone, IWaiterHost host) => _waiters.RemoveHolder(gone, host);
}
