namespace PoolCluster.Manager.State;

/// <summary>A shared list; index errors come back as the usual <see cref="ArgumentOutOfRangeException"/>.</summary>
internal sealed class ListState : SharedState, IReplicatedState
{
    private static readonly HashSet<string> ReadOnly = ["get", "indexof", "contains", "count", "items"];

    private readonly List<object?> _items = [];

    public override string Kind => ObjectKinds.List;

    public bool Reads(string operation) => ReadOnly.Contains(operation);

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
            case "get": op.Reply(_items[op.Arg<int>(0)]); break;
            case "set": _items[op.Arg<int>(0)] = op.Raw(1); op.Reply(null); break;
            case "add": _items.Add(op.Raw(0)); op.Reply(_items.Count - 1); break;
            case "insert": _items.Insert(op.Arg<int>(0), op.Raw(1)); op.Reply(null); break;
            case "removeat": _items.RemoveAt(op.Arg<int>(0)); op.Reply(null); break;
            case "remove": op.Reply(_items.Remove(op.Raw(0))); break;
            case "indexof": op.Reply(_items.IndexOf(op.Raw(0))); break;
            case "contains": op.Reply(_items.Contains(op.Raw(0))); break;
            case "count": op.Reply(_items.Count); break;
            case "clear": _items.Clear(); op.Reply(null); break;
            case "items": op.Reply(_items.ToArray()); break;
            default: op.Fail(Unknown(op)); break;
        }
    }
}
