namespace PoolCluster.Bench.Scenarios;

/// <summary>
/// Throughput groups a–e and j: each row times one call pattern on a fresh, warmed-up pool over
/// <c>0..n-1</c> with <see cref="Work.Square"/>, and checks the result as the anchor's <c>bench_pool_op</c> does.
/// </summary>
/// <param name="Key">The anchor's group letter.</param>
/// <param name="Rows">The rows of the group, in the anchor's order.</param>
public sealed record PoolOpScenario(string Key, params PoolOp[] Rows) : IScenario
{
    /// <summary>The anchor's groups a–e and j, in its order and with its row names.</summary>
    public static IReadOnlyList<IScenario> All { get; } =
    [
        new PoolOpScenario("a",
            new PoolOp("a_map_default_chunk", s => s.MapDefaultLarge, (pool, items, c) => pool.MapAsync(Fn.Square, items).Get(c.CallTimeout)),
            new PoolOp("a_map_default_chunk", s => s.MapDefaultSmall, (pool, items, c) => pool.MapAsync(Fn.Square, items).Get(c.CallTimeout))),
        new PoolOpScenario("b",
            new PoolOp("b_map_chunksize1", s => s.MapChunk1, (pool, items, c) => pool.MapAsync(Fn.Square, items, 1).Get(c.CallTimeout))),
        new PoolOpScenario("c",
            new PoolOp("c_imap", s => s.Imap, (pool, items, _) => pool.Imap(Fn.Square, items).ToList()),
            new PoolOp("c_imap_unordered", s => s.Imap, (pool, items, _) => pool.ImapUnordered(Fn.Square, items).ToList())),
        new PoolOpScenario("d",
            new PoolOp("d_apply_async", s => s.ApplyAsync, ApplyAllThenGetAll)),
        new PoolOpScenario("e",
            new PoolOp("e_apply_sequential_roundtrip", s => s.ApplySequential,
                (pool, items, c) => items.Select(i => pool.ApplyAsync(Fn.Square, i).Get(c.CallTimeout)).ToList())),
        new PoolOpScenario("j",
            new PoolOp("j_executor_map_chunksize1000", s => s.ExecutorMap, (pool, items, c) => pool.MapAsync(Fn.Square, items, 1000).Get(c.CallTimeout)),
            new PoolOp("j_executor_submit", s => s.ExecutorSubmit, ApplyAllThenGetAll)),
    ];

    /// <inheritdoc />
    public bool InAnchor => true;

    /// <inheritdoc />
    public void Run(ScenarioContext context)
    {
        foreach (var op in Rows)
        {
            var n = op.Size(context.Sizes);
            context.Begin(op.Scenario, n);
            var pool = context.NewPool();
            var items = ScenarioContext.Range(n);
            var (seconds, results) = ScenarioContext.Time(() => op.Run(pool, items, context));
            Check(op.Scenario, n, results, ordered: op.Scenario != "c_imap_unordered");
            var row = BenchRow.Timed(op.Scenario, n, context.Processes, seconds);
            context.Retire(pool, row);
            context.Record(row);
        }
    }

    private static IReadOnlyList<long> ApplyAllThenGetAll(WorkerPool pool, IEnumerable<long> items, ScenarioContext context)
    {
        var pending = items.Select(i => pool.ApplyAsync(Fn.Square, i)).ToList();
        return pending.Select(r => r.Get(context.CallTimeout)).ToList();
    }

    private static void Check(string scenario, int n, IReadOnlyList<long> results, bool ordered)
    {
        var expected = Enumerable.Range(0, n).Select(i => (long)i * i);
        if (results.Count != n || !(ordered ? results : (IEnumerable<long>)results.Order()).SequenceEqual(expected))
            throw new InvalidDataException($"{scenario}: wrong results ({results.Count} values for {n} items)");
    }
}

/// <summary>One timed call pattern of a <see cref="PoolOpScenario"/>.</summary>
/// <param name="Scenario">The anchor's row name.</param>
/// <param name="Size">Picks N from the run's sizes.</param>
/// <param name="Run">The timed call: the pool, the items 0..n-1, the context (for timeouts); returns all results.</param>
public sealed record PoolOp(string Scenario, Func<Sizes, int> Size,
    Func<WorkerPool, IEnumerable<long>, ScenarioContext, IReadOnlyList<long>> Run);
