namespace PoolCluster.Manager.State;

/// <summary>A shared list; index errors come back as the usual <see cref="ArgumentOutOfRangeException"/>.</summary>
internal sealed class ListState : SharedState, IReplicatedState
{
    private static readonly HashSet<SharedOp> ReadOnly = [SharedOp.Get, SharedOp.IndexOf, SharedOp.Contains, SharedOp.Count, SharedOp.Items];

    private readonly List<object?> _items = [];

    public override string Kind => ObjectKinds.List;

    public bool Reads(SharedOp operation) => ReadOnly.Contains(operation);

    public object? Snapshot() => _items.ToArray();

    public static ListState Restore(object?[] items)
    {
        var state = new ListState();
        state._items.AddRange(items);
        return state;
    }

    public override void Execute(ManagerOp op)
    {
        switch (op.Operation)
        {
            case SharedOp.Get: op.Reply(_items[op.Arg<int>(0)]); break;
            case SharedOp.Set: _items[op.Arg<int>(0)] = op.Raw(1); op.Reply(null); break;
            case SharedOp.Add: _items.Add(op.Raw(0)); op.Reply(_items.Count - 1); break;
            case SharedOp.Insert: _items.Insert(op.Arg<int>(0), op.Raw(1)); op.Reply(null); break;
            case SharedOp.RemoveAt: _items.RemoveAt(op.Arg<int>(0)); op.Reply(null); break;
            case SharedOp.Remove: op.Reply(_items.Remove(op.Raw(0))); break;
            case SharedOp.IndexOf: op.Reply(_items.IndexOf(op.Raw(0))); break;
            case SharedOp.Contains: op.Reply(_items.Contains(op.Raw(0))); break;
            case SharedOp.Count: op.Reply(_items.Count); break;
            case SharedOp.Clear: _items.Clear(); op.Reply(null); break;
            case SharedOp.Items: op.Reply(_items.ToArray()); break;
            default: op.Fail(Unknown(op)); break;
        }
    }
}
