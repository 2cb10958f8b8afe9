namespace PoolCluster.Manager.State;

/// <summary>The manager's timers as seen by a shared object: every parked waiter has a deadline.</summary>
internal interface IWaiterHost
{
    /// <summary>Creates a waiter for <paramref name="op"/> and schedules its expiry after <paramref name="timeout"/>.</summary>
    Waiter Park(ManagerOp op, TimeSpan timeout, object? data = null);

    /// <summary>Cancels the expiry of a waiter that was satisfied or dropped.</summary>
    void Unpark(Waiter waiter);
}
