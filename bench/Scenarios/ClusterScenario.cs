namespace PoolCluster.Bench.Scenarios;

/// <summary>
/// cluster (issue 5): client + one node process, then client + two nodes, on loopback: ImapUnordered with chunk
/// size 1 over 20,000 tasks (tasks/s), sequential Apply latency (median and p99 over 2,000 calls), Map of 1,000,000
/// items. The cluster entry points (<c>WorkerPool.Connect</c>, Pool.Node, Pool.Seed) do not exist yet, so this group
/// records its rows as "not yet available" rather than inventing numbers; replace <see cref="Run"/> when they land.
/// </summary>
public sealed class ClusterScenario : IScenario
{
    /// <summary>Row name: ImapUnordered, chunk size 1, client + 1 node (target: tasks/s).</summary>
    public const string ImapUnorderedRow = "cluster_imap_unordered_chunksize1";

    /// <summary>Row name: sequential Apply, client + 1 node (target: median latency).</summary>
    public const string ApplyRow = "cluster_apply_sequential";

    /// <summary>Row name: Map of 1,000,000 items, client + 1 node.</summary>
    public const string MapRow = "cluster_map_default_chunk";

    /// <inheritdoc />
    public string Key => "cluster";

    /// <inheritdoc />
    public bool InAnchor => false;

    /// <inheritdoc />
    public void Run(ScenarioContext context)
    {
        foreach (var (name, n) in new[] { (ImapUnorderedRow, 20_000), (ApplyRow, 2_000), (MapRow, 1_000_000) })
            context.Record(BenchRow.Failed(name, n, context.Processes, "not yet available"));
    }
}
