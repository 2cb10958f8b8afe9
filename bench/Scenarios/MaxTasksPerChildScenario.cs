using System.Text.Json.Nodes;

namespace PoolCluster.Bench.Scenarios;

/// <summary>
/// h: <c>MaxTasksPerChild = 1</c>, a chunk-size-1 Map: every task gets a fresh child, so this measures child start.
/// As in the anchor there is no warm-up, and pool creation is outside the timed region.
/// </summary>
public sealed class MaxTasksPerChildScenario : IScenario
{
    private const string Name = "h_maxtasksperchild1";

    /// <inheritdoc />
    public string Key => "h";

    /// <inheritdoc />
    public bool InAnchor => true;

    /// <inheritdoc />
    public void Run(ScenarioContext context)
    {
        var n = context.Sizes.MaxTasksPerChild1;
        context.Begin(Name, n);
        var pool = context.NewPool(maxTasksPerChild: 1, warmUp: false);
        var (seconds, results) = ScenarioContext.Time(() => pool.MapAsync(Fn.Square, ScenarioContext.Range(n), 1).Get(context.CallTimeout));
        if (results.Count != n || results[^1] != (long)(n - 1) * (n - 1)) throw new InvalidDataException($"{Name}: wrong results");
        var row = BenchRow.Timed(Name, n, context.Processes, seconds, new JsonObject
        {
            // One child's life (start, one task, exit) as each of the parallel workers sees it.
            ["child_cycle_ms"] = Math.Round(seconds * context.Processes / n * 1e3, 2),
        });
        context.Retire(pool, row);
        context.Record(row);
    }
}
