namespace PoolCluster.Manager.State;

/// <summary>
/// A shared lock owned by one holder (a thread of some process). Re-entrant when created as an RLock: the owner may
/// acquire again and must release as often. Acquire replies true, or false at the deadline; release by a non-owner is
/// a <see cref="SynchronizationLockException"/>. When the owner's process or node dies, the lock is released.
/// </summary>
internal sealed class LockState(bool reentrant) : SharedState
{
    private readonly WaiterQueue _waiters = new();
    private string? _owner;
    private int _count;

    public override string Kind => reentrant ? ObjectKinds.RLock : ObjectKinds.Lock;

    public override void Execute(ManagerOp op)
    {
        switch (op.Operation)
        {
            case SharedOp.Acquire:
                if (_owner is null) { _owner = op.Holder; _count = 1; op.Reply(true); }
                else if (reentrant && _owner == op.Holder) { _count++; op.Reply(true); }
                else if (op.Timeout(0) == TimeSpan.Zero) op.Reply(false);
                else _waiters.Add(op.Host.Park(op, op.Timeout(0)));
                break;
            case SharedOp.Release:
                if (_owner != op.Holder)
                {
                    op.Fail(new SynchronizationLockException(_owner is null
                        ? $"The shared {Kind} '{op.Name}' is not locked: release without acquire."
                        : $"The shared {Kind} '{op.Name}' is held by another thread or process; only its owner may release it."));
                    break;
                }
                if (--_count == 0) { _owner = null; GrantNext(op.Host); }
                op.Reply(null);
                break;
            case SharedOp.Locked: op.Reply(_owner is not null); break;
            case SharedOp.Owned: op.Reply(_owner == op.Holder); break;
            default: op.Fail(Unknown(op)); break;
        }
    }

    private void GrantNext(IWaiterHost host)
    {
        if (_owner is not null || _waiters.TakeFirst(host) is not { } next) return;
        _owner = next.Holder;
        _count = 1;
        ManagerOp.Send(next.ReplyTo, true);
    }

    public override void Expire(long waiterId)
    {
        if (_waiters.Remove(waiterId) is { } w) ManagerOp.Send(w.ReplyTo, false);
    }

    public override void ReleaseHolder(string gone, IWaiterHost host)
    {
        _waiters.RemoveHolder(gone, host);
        if (_owner is not null && HolderIds.BelongsTo(_owner, gone))
        {
            _owner = null;
            _count = 0;
            GrantNext(host);
        }
    }
}
