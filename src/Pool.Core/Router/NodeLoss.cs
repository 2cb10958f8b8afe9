namespace PoolCluster.Router;

/// <summary>Why the router stopped counting on a worker node; the log phrase is derived from it.</summary>
internal enum NodeLoss
{
    /// <summary>The failure detector lost it; it may come back (then its workers attach again).</summary>
    Unreachable,

    /// <summary>It left the cluster for good: its workers are gone even if it had been unreachable before.</summary>
    Removed,
}

internal static class NodeLossText
{
    /// <summary>The phrase in "Worker node X is {phrase}".</summary>
    public static string Describe(this NodeLoss loss) => loss switch
    {
        NodeLoss.Unreachable => "unreachable",
        NodeLoss.Removed => "removed from the cluster",
        _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, null),
    };
}
