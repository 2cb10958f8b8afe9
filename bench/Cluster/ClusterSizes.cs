namespace PoolCluster.Bench.Cluster;

/// <summary>The cluster scenarios' sizes (issue 5), kept apart from the anchor's <see cref="Sizes"/>: the anchor has
/// no cluster group.</summary>
/// <param name="Imap">ImapUnordered tasks, chunk size 1.</param>
/// <param name="Apply">Sequential Apply calls.</param>
/// <param name="Map">Map items, default chunk size.</param>
public sealed record ClusterSizes(int Imap, int Apply, int Map)
{
    /// <summary>The sizes.</summary>
    public static ClusterSizes Full { get; } = new(20_000, 2_000, 1_000_000);

    /// <summary>The <c>--quick</c> sizes (a tenth).</summary>
    public static ClusterSizes Quick { get; } = new(2_000, 200, 100_000);

    /// <summary>Quick sizes for the anchor's quick run, full sizes otherwise.</summary>
    public static ClusterSizes For(Sizes sizes) => sizes == Sizes.Quick ? Quick : Full;
}
