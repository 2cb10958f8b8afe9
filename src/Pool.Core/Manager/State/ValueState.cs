namespace PoolCluster.Manager.State;

/// <summary>A single shared value (Python's <c>Manager().Value</c>).</summary>
internal sealed class ValueState(object? initial) : SharedState, IReplicatedState
{
    private object? _value = initial;

    public override string Kind => ObjectKinds.Value;

    public bool Reads(SharedOp operation) => operation == SharedOp.Get;

    public object? Snapshot() => _value;

    public override void Execute(ManagerOp op)
    {
        switch (op.Operation)
        {
            case SharedOp.Get: op.Reply(_value); break;
            case SharedOp.Set: _value = op.Raw(0); op.Reply(null); break;
            case SharedOp.Exchange: var old = _value; _value = op.Raw(0); op.Reply(old); break;
            case SharedOp.CompareExchange:
                var before = _value;
                if (Equals(before, op.Raw(1))) _value = op.Raw(0);
                op.Reply(before);
                break;
            default: op.Fail(Unknown(op)); break;
        }
    }
}
