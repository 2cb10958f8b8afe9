namespace PoolCluster.Manager.State;

/// <summary>
/// A shared barrier for <c>parties</c> participants: wait blocks until that many are waiting, then releases them all,
/// each with its arrival index (0 .. parties-1), and the barrier is ready for the next round. A waiter whose deadline
/// passes leaves the round and gets a <see cref="TimeoutException"/>; the others keep waiting.
/// </summary>
internal sealed class BarrierState(int parties) : SharedState
{
    private readonly WaiterQueue _waiting = new();

    public override string Kind => ObjectKinds.Barrier;

    public override void Execute(ManagerOp op)
    {
        switch (op.Operation)
        {
            case SharedOp.Wait:
                if (_waiting.Count + 1 >= parties)
                {
                    var index = 0;
                    foreach (var w in _waiting.TakeAll(op.Host)) ManagerOp.Send(w.ReplyTo, index++);
                    op.Reply(index);
                }
                else _waiting.Add(op.Host.Park(op, op.Timeout(0)));
                break;
            case SharedOp.Parties: op.Reply(parties); break;
            case SharedOp.Waiting: op.Reply(_waiting.Count); break;
            default: op.Fail(Unknown(op)); break;
        }
    }

    public override void Expire(long waiterId)
    {
        if (_waiting.Remove(waiterId) is { } w) ManagerOp.Send(w.ReplyTo, false);
    }

    public override void ReleaseHolder(string gone, IWaiterHost host) => _waiting.RemoveHolder(gone, host);
}
