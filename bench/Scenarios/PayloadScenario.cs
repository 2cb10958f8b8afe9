using System.Text.Json.Nodes;

namespace PoolCluster.Bench.Scenarios;

/// <summary>
/// i: Map of <see cref="Work.Identity"/> over 1 MB byte arrays, default chunk size. As in the anchor, one row passes
/// the same array n times (a serializer that keeps references may send it once per chunk), the other n distinct
/// arrays, so every megabyte crosses the pipe both ways; MB/s comes from that one.
/// </summary>
public sealed class PayloadScenario : IScenario
{
    private const int PayloadBytes = 1_000_000;

    /// <inheritdoc />
    public string Key => "i";

    /// <inheritdoc />
    public bool InAnchor => true;

    /// <inheritdoc />
    public void Run(ScenarioContext context)
    {
        var n = context.Sizes.Payloads;
        var same = new byte[PayloadBytes];
        Measure(context, "i_payload_1MB_same_object", n, () => Enumerable.Repeat(same, n).ToArray());
        Measure(context, "i_payload_1MB_distinct", n, () => Enumerable.Range(0, n).Select(_ => new byte[PayloadBytes]).ToArray());
    }

    private static void Measure(ScenarioContext context, string name, int n, Func<byte[][]> payload)
    {
        context.Begin(name, n);
        var items = payload();
        var pool = context.NewPool();
        var (seconds, results) = ScenarioContext.Time(() => pool.MapAsync(Fn.Identity, items).Get(context.CallTimeout));
        if (results.Count != n || results[^1].Length != PayloadBytes) throw new InvalidDataException($"{name}: wrong results");
        var mb = n * PayloadBytes / 1e6;
        var row = BenchRow.Timed(name, n, context.Processes, seconds, new JsonObject
        {
            ["payload_bytes"] = PayloadBytes,
            ["mb_per_sec"] = Math.Round(mb / seconds, 1),
            ["mb_per_sec_both_directions"] = Math.Round(2 * mb / seconds, 1),
        });
        context.Retire(pool, row);
        context.Record(row);
    }
}
