namespace PoolCluster.Manager.State;

/// <summary>A single shared value (Python's <c>Manager().Value</c>).</summary>
internal sealed class ValueState(object? initial) : SharedState, IReplicatedState
{
    private object? _value = initial;

    public override string Kind => ObjectKinds.Value;

    public bool Reads(string operation) => operation == "get";

    public object? Snapshot() => _value;

    public override void Execute(ManagerOp op)
    {
        switch (op.Operation)
        {
            case "get": op.Reply(_value); break;
            case "set": _value = op.Raw(0); op.Reply(null); break;
            case "exchange": var old = _value; _value = op.Raw(0); op.Reply(old); break;
            case "compareexchange":
                var before = _value;
                if (Equals(before, op.Raw(1))) _value = op.Raw(0);
                op.Reply(before);
                break;
            default: op.Fail(Unknown(op)); break;
        }
    }
}
