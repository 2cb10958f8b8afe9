namespace PoolCluster.Manager.State;

/// <summary>Timer message: the waiter <paramref name="WaiterId"/> on object <paramref name="ObjectName"/> reached its deadline.</summary>
internal sealed record WaitExpired(string ObjectName, long WaiterId);
