namespace PoolCluster.Manager.State;

/// <summary>A shared dictionary. Keys compare with their own Equals/GetHashCode, as in a local dictionary.</summary>
internal sealed class DictState : SharedState, IReplicatedState
{
    private static readonly HashSet<SharedOp> ReadOnly = [SharedOp.Get, SharedOp.TryGet, SharedOp.ContainsKey, SharedOp.ContainsPair, SharedOp.Count, SharedOp.Items];

    private readonly Dictionary<object, object?> _items = new();

    public override string Kind => ObjectKinds.Dict;

    public override void Execute(ManagerOp op)
    {
        switch (op.Operation)
        {
            case SharedOp.Get:
                var key = Key(op);
                if (_items.TryGetValue(key, out var value)) op.Reply(value);
                else op.Fail(new KeyNotFoundException($"The key '{key}' was not present in the shared dictionary '{op.Name}'."));
                break;
            case SharedOp.TryGet:
                op.Reply(_items.TryGetValue(Key(op), out var found) ? new[] { found } : null);
                break;
            case SharedOp.Set:
                _items[Key(op)] = op.Raw(1);
                op.Reply(null);
                break;
            case SharedOp.Add:
                if (_items.TryAdd(Key(op), op.Raw(1))) op.Reply(null);
                else op.Fail(new ArgumentException($"An item with the same key has already been added to the shared dictionary '{op.Name}'. Key: {Key(op)}"));
                break;
            case SharedOp.SetDefault:
                // Python's setdefault: the existing value, or the given one stored and returned.
                if (!_items.TryGetValue(Key(op), out var existing)) _items[Key(op)] = existing = op.Raw(1);
                op.Reply(existing);
                break;
            case SharedOp.Remove:
                op.Reply(_items.Remove(Key(op)));
                break;
            case SharedOp.RemovePair:
                var k = Key(op);
                var removed = _items.TryGetValue(k, out var current) && Equals(current, op.Raw(1)) && _items.Remove(k);
                op.Reply(removed);
                break;
            case SharedOp.ContainsKey:
                op.Reply(_items.ContainsKey(Key(op)));
                break;
            case SharedOp.ContainsPair:
                op.Reply(_items.TryGetValue(Key(op), out var v) && Equals(v, op.Raw(1)));
                break;
            case SharedOp.Count:
                op.Reply(_items.Count);
                break;
            case SharedOp.Clear:
                _items.Clear();
                op.Reply(null);
                break;
            case SharedOp.Items:
                // Keys and values as two arrays: one consistent snapshot.
                op.Reply(new object?[] { _items.Keys.ToArray(), _items.Values.ToArray() });
                break;
            default:
                op.Fail(Unknown(op));
                break;
        }
    }

    public bool Reads(SharedOp operation) => ReadOnly.Contains(operation);

    public object? Snapshot() => new[] { _items.Keys.ToArray<object?>(), _items.Values.ToArray() };

    public static DictState Restore(object?[][] data)
    {
        var state = new DictState();
        for (var i = 0; i < data[0].Length; i++) state._items[data[0][i]!] = data[1][i];
        return state;
    }

    private static object Key(ManagerOp op) => op.Raw(0) ?? throw new ArgumentNullException("key");
}
