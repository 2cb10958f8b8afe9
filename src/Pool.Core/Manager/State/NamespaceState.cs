namespace PoolCluster.Manager.State;

/// <summary>A shared namespace: named attributes (Python's <c>Manager().Namespace()</c>).</summary>
internal sealed class NamespaceState : SharedState, IReplicatedState
{
    private static readonly HashSet<SharedOp> ReadOnly = [SharedOp.Get, SharedOp.Contains, SharedOp.Names];

    private readonly Dictionary<string, object?> _attributes = new(StringComparer.Ordinal);

    public override string Kind => ObjectKinds.Namespace;

    public bool Reads(SharedOp operation) => ReadOnly.Contains(operation);

    public object? Snapshot() => new[] { _attributes.Keys.ToArray<object?>(), _attributes.Values.ToArray() };

    public static NamespaceState Restore(object?[][] data)
    {
        var state = new NamespaceState();
        for (var i = 0; i < data[0].Length; i++) state._attributes[(string)data[0][i]!] = data[1][i];
        return state;
    }

    public override void Execute(ManagerOp op)
    {
        switch (op.Operation)
        {
            case SharedOp.Get:
                var name = op.Arg<string>(0);
                if (_attributes.TryGetValue(name, out var value)) op.Reply(value);
                else op.Fail(new KeyNotFoundException($"The shared namespace '{op.Name}' has no attribute '{name}'."));
                break;
            case SharedOp.Set: _attributes[op.Arg<string>(0)] = op.Raw(1); op.Reply(null); break;
            case SharedOp.Remove: op.Reply(_attributes.Remove(op.Arg<string>(0))); break;
            case SharedOp.Contains: op.Reply(_attributes.ContainsKey(op.Arg<string>(0))); break;
            case SharedOp.Names: op.Reply(_attributes.Keys.ToArray()); break;
            default: op.Fail(Unknown(op)); break;
        }
    }
}
