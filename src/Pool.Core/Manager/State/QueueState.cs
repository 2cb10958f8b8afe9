namespace PoolCluster.Manager.State;

/// <summary>
/// A shared FIFO queue, optionally bounded. A get on an empty queue and a put on a full one wait until they can proceed
/// or their deadline passes. Replies: get → a one-element array holding the item, or null at the deadline; put → true/false.
/// </summary>
internal sealed class QueueState(int? maxSize) : SharedState, IReplicatedState
{
    private readonly Queue<object?> _items = new();
    private readonly WaiterQueue _getters = new();
    private readonly WaiterQueue _putters = new();
    private readonly Dictionary<long, bool> _isGetter = new();

    public override string Kind => ObjectKinds.Queue;

    public bool Reads(SharedOp operation) => operation is SharedOp.Count or SharedOp.MaxSize;

    public object? Snapshot() => new QueueSnapshot(maxSize, _items.ToArray());

    public static QueueState Restore(QueueSnapshot snapshot)
    {
        var state = new QueueState(snapshot.MaxSize);
        foreach (var item in snapshot.Items) state._items.Enqueue(item);
        return state;
    }

    private bool Full => maxSize is > 0 && _items.Count >= maxSize.Value;

    public override void Execute(ManagerOp op)
    {
        switch (op.Operation)
        {
            case SharedOp.Put:
                var item = op.Raw(0);
                if (_getters.TakeFirst(op.Host) is { } getter)
                {
                    // Somebody waits on an empty queue: hand the item over directly.
                    _isGetter.Remove(getter.Id);
                    ManagerOp.Send(getter.ReplyTo, new[] { item });
                    op.Reply(true);
                }
                else if (!Full)
                {
                    _items.Enqueue(item);
                    op.Reply(true);
                }
                else if (op.Timeout(1) == TimeSpan.Zero) op.Reply(false);
                else
                {
                    var w = op.Host.Park(op, op.Timeout(1), item);
                    _putters.Add(w);
                    _isGetter[w.Id] = false;
                }
                break;
            case SharedOp.Get:
                if (_items.Count > 0)
                {
                    op.Reply(new[] { _items.Dequeue() });
                    AdmitPutter(op.Host);
                }
                else if (op.Timeout(0) == TimeSpan.Zero) op.Reply(null);
                else
                {
                    var w = op.Host.Park(op, op.Timeout(0));
                    _getters.Add(w);
                    _isGetter[w.Id] = true;
                }
                break;
            case SharedOp.Count: op.Reply(_items.Count); break;
            case SharedOp.MaxSize: op.Reply(maxSize ?? 0); break;
            default: op.Fail(Unknown(op)); break;
        }
    }

    private void AdmitPutter(IWaiterHost host)
    {
        if (Full || _putters.TakeFirst(host) is not { } putter) return;
        _isGetter.Remove(putter.Id);
        _items.Enqueue(putter.Data);
        ManagerOp.Send(putter.ReplyTo, true);
    }

    public override void Expire(long waiterId)
    {
        if (!_isGetter.Remove(waiterId, out var getter)) return;
        var waiter = getter ? _getters.Remove(waiterId) : _putters.Remove(waiterId);
        if (waiter is not null) ManagerOp.Send(waiter.ReplyTo, getter ? null : false);
    }

    public override void ReleaseHolder(string gone, IWaiterHost host)
    {
        _getters.RemoveHolder(gone, host);
        _putters.RemoveHolder(gone, host);
    }
}
