namespace PoolCluster.Manager.State;

/// <summary>
/// The state of one shared object inside the manager actor. Every operation is one message, so each runs alone:
/// no locking is needed here, and every single operation is atomic.
/// </summary>
internal abstract class SharedState
{
    /// <summary>The kind this object was created as (see <see cref="ObjectKinds"/>).</summary>
    public abstract string Kind { get; }

    /// <summary>Executes one operation: answers it now, or parks it as a waiter answered later.</summary>
    public abstract void Execute(ManagerOp op);

    /// <summary>A waiter reached its deadline: drop it and answer its timeout result.</summary>
    public virtual void Expire(long waiterId) { }

    /// <summary>A holder is gone: release what it held and drop its waiters.</summary>
    public virtual void ReleaseHolder(string gone, IWaiterHost host) { }

    /// <summary>The error for an operation this kind does not have.</summary>
    protected InvalidOperationException Unknown(ManagerOp op) =>
        new($"A shared {Kind} has no operation '{op.Operation.Describe()}'");
}
