namespace PoolCluster;

/// <summary>
/// A pool in a cluster had no worker at all for longer than <c>poolcluster.cluster.no-workers-timeout</c>; the queued
/// work was failed rather than left waiting. Nothing was lost: submit again once a worker node has joined.
/// </summary>
public sealed class NoWorkersException : TimeoutException
{
    /// <summary>Creates the exception.</summary>
    public NoWorkersException(string message) : base(message) { }
}
