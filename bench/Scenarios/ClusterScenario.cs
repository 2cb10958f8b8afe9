using System.Diagnostics;
using System.Globalization;
using PoolCluster.Bench.Cluster;

namespace PoolCluster.Bench.Scenarios;

/// <summary>
/// cluster (issue 5): on loopback, a Pool.Seed process, one Pool.Node process (2 child processes) and a client pool in
/// this process (<see cref="WorkerPool.Connect"/>); then a second node joins the same cluster (4 workers). With each
/// shape: ImapUnordered with chunk size 1 (tasks/s), sequential Apply (median and p99 latency), Map with the default
/// chunk size. Python's Pool has no cluster: the table's Python column stays empty and the notes give Ray's figure.
/// The group keeps its own deadline (the scenario limit less a reserve for stopping the processes), so a hang is
/// reported as <c>timeout</c> and everything it started is stopped before the runner gives up on it.
/// </summary>
public sealed class ClusterScenario : IScenario
{
    /// <summary>Row name: ImapUnordered, chunk size 1, client + 1 node (target: tasks/s).</summary>
    public const string ImapUnorderedRow = "cluster_imap_unordered_chunksize1";

    /// <summary>Row name: sequential Apply, client + 1 node (target: median latency).</summary>
    public const string ApplyRow = "cluster_apply_sequential";

    /// <summary>Row name: Map with the default chunk size, client + 1 node.</summary>
    public const string MapRow = "cluster_map_default_chunk";

    /// <summary>The prefix of the client + 2 nodes rows (<c>cluster2_imap_unordered_chunksize1</c>, ...).</summary>
    public const string TwoNodesPrefix = "cluster2_";

    /// <summary>Row name (issue 10): 40 tasks of 100 ms, chunk size 1, on 2 nodes × 2 processes after the other
    /// measurements (a warm cluster); the ideal is 1.0 s, the target 1.3 s.</summary>
    public const string SpreadRow = "cluster2_map_40x100ms_chunksize1";

    /// <summary>Child processes each node offers (as the local scenarios' <c>processes = 2</c>).</summary>
    public const int ProcessesPerNode = 2;

    /// <inheritdoc />
    public string Key => "cluster";

    /// <inheritdoc />
    public bool InAnchor => false;

    /// <inheritdoc />
    public void Run(ScenarioContext context)
    {
        var sizes = ClusterSizes.For(context.Sizes);
        // Keep a reserve inside the runner's limit to stop the client, nodes and seed (SIGTERM, kill after a bound).
        var reserve = TimeSpan.FromSeconds(Math.Min(20, context.CallTimeout.TotalSeconds / 4));
        var started = DateTime.UtcNow;
        var deadline = started + context.CallTimeout - reserve;
        var planned = new[] { 1, 2 }
            .SelectMany(nodes => new[] { (Name(ImapUnorderedRow, nodes), sizes.Imap), (Name(ApplyRow, nodes), sizes.Apply), (Name(MapRow, nodes), sizes.Map) })
            .Append((SpreadRow, SpreadTasks))
            .ToList();
        LoopbackCluster? cluster = null;
        try
        {
            context.Begin(planned[0].Item1, planned[0].Item2);
            cluster = LoopbackCluster.Start(ProcessesPerNode, deadline, Log);
            Measure(context, cluster, sizes, deadline);
            context.Begin(planned[3].Item1, planned[3].Item2);
            cluster.AddNode(ProcessesPerNode, deadline);
            Measure(context, cluster, sizes, deadline);
            MeasureSpread(context, cluster, deadline);
        }
        catch (Exception e)
        {
            // The table gets a short status; the log gets the whole message.
            var elapsed = DateTime.UtcNow - started;
            var reason = e is TimeoutException ? $"timeout after {elapsed.TotalSeconds:0} s" : $"error: {e.GetType().Name}";
            Log($"failed after {elapsed.TotalSeconds:0.0} s: {e.GetType().Name}: {e.Message}");
            var (name, n) = context.Pending ?? planned[0];
            context.Record(BenchRow.Failed(name, n, 0, reason));
            foreach (var (rest, size) in planned.Where(p => context.Rows.All(r => r.Scenario != p.Item1)))
                context.Record(BenchRow.Failed(rest, size, 0, $"not run ({name} failed)"));
        }
        finally
        {
            cluster?.Dispose();
        }
    }

    /// <summary>The notes column of a cluster row: our figure beside Ray's (Python's Pool has none).</summary>
    public static string Notes(BenchRow row)
    {
        var shape = $"{row.Text("nodes")} node{(row.Number("nodes") == 1 ? "" : "s")}, {row.Processes} workers";
        string F(string field, string format) => row.Number(field)?.ToString(format, CultureInfo.InvariantCulture) ?? "—";
        return row.Scenario switch
        {
            _ when row.Scenario.EndsWith("imap_unordered_chunksize1", StringComparison.Ordinal) =>
                $"{F("tasks_per_sec", "#,0")} tasks/s (Ray ~8,000 async tasks/s); {shape}",
            SpreadRow => $"ideal {F("ideal_seconds", "0.0")} s; tasks per node {row.Text("tasks_per_node")}; {shape}",
            _ when row.Scenario.EndsWith("apply_sequential", StringComparison.Ordinal) =>
                $"median {F("median_ms", "0.000")} ms, p99 {F("p99_ms", "0.000")} ms (Ray ~1 ms a sync task); {shape}",
            _ => $"{F("tasks_per_sec", "#,0")} items/s, chunk size {F("chunk_size", "0")}; {shape}",
        };
    }

    private static string Name(string row, int nodes) => nodes == 1 ? row : TwoNodesPrefix + row["cluster_".Length..];

    private static void Measure(ScenarioContext context, LoopbackCluster cluster, ClusterSizes sizes, DateTime deadline)
    {
        var pool = cluster.Pool;
        var nodes = cluster.Nodes;
        var workers = pool.Processes;
        // Warm-up, as the local scenarios' NewPool and then some: every worker has run the function (the first call
        // ships the bench's assemblies to the node), and each of the three call paths has run once in the client.
        Bounded(() =>
        {
            pool.MapAsync(Fn.Square, ScenarioContext.Range(workers * 4), 1).Get(LoopbackCluster.Remaining(deadline));
            _ = pool.ImapUnordered(Fn.Square, ScenarioContext.Range(workers * 20), 1).Count();
            pool.MapAsync(Fn.Square, ScenarioContext.Range(10_000)).Get(LoopbackCluster.Remaining(deadline));
            for (var i = 0; i < 20; i++) pool.ApplyAsync(Fn.Square, (long)i).Get(LoopbackCluster.Remaining(deadline));
            return 0;
        }, deadline, "warm-up");

        var extra = () => new System.Text.Json.Nodes.JsonObject { ["nodes"] = nodes, ["workers"] = workers };

        // ImapUnordered, chunk size 1.
        var name = Name(ImapUnorderedRow, nodes);
        context.Begin(name, sizes.Imap);
        var (seconds, (count, sum)) = Bounded(() => ScenarioContext.Time(() =>
        {
            long c = 0, s = 0;
            foreach (var r in pool.ImapUnordered(Fn.Square, ScenarioContext.Range(sizes.Imap), 1)) { c++; s += r; }
            return (c, s);
        }), deadline, name);
        Check(name, count == sizes.Imap && sum == SumOfSquares(sizes.Imap), $"{count} results, sum {sum}");
        context.Record(BenchRow.Timed(name, sizes.Imap, workers, seconds, extra()));

        // Sequential Apply: one call at a time, each timed.
        name = Name(ApplyRow, nodes);
        context.Begin(name, sizes.Apply);
        var latencies = new double[sizes.Apply];
        var total = Stopwatch.StartNew();
        for (var i = 0; i < sizes.Apply; i++)
        {
            var timeout = LoopbackCluster.Remaining(deadline);
            var start = Stopwatch.GetTimestamp();
            var result = pool.ApplyAsync(Fn.Square, (long)i).Get(timeout);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            Check(name, result == (long)i * i, $"Apply(Square, {i}) returned {result}");
        }
        total.Stop();
        Array.Sort(latencies);
        var applyRow = BenchRow.Timed(name, sizes.Apply, workers, total.Elapsed.TotalSeconds, extra());
        applyRow.Extra["median_ms"] = Math.Round(Percentile(latencies, 0.5), 4);
        applyRow.Extra["p99_ms"] = Math.Round(Percentile(latencies, 0.99), 4);
        applyRow.Extra["min_ms"] = Math.Round(latencies[0], 4);
        applyRow.Extra["max_ms"] = Math.Round(latencies[^1], 4);
        context.Record(applyRow);

        // Map, default chunk size (Python's ceil(n / (processes × 4)) over the cluster's workers).
        name = Name(MapRow, nodes);
        context.Begin(name, sizes.Map);
        var (mapSeconds, results) = Bounded(() => ScenarioContext.Time(() =>
            pool.MapAsync(Fn.Square, ScenarioContext.Range(sizes.Map)).Get(LoopbackCluster.Remaining(deadline))), deadline, name);
        Check(name, results.Count == sizes.Map && results[^1] == (long)(sizes.Map - 1) * (sizes.Map - 1) && results[sizes.Map / 2] == (long)(sizes.Map / 2) * (sizes.Map / 2),
            $"{results.Count} results");
        var mapRow = BenchRow.Timed(name, sizes.Map, workers, mapSeconds, extra());
        mapRow.Extra["chunk_size"] = (sizes.Map + workers * 4 - 1) / (workers * 4);
        context.Record(mapRow);
    }

    private const int SpreadTasks = 40;

    /// <summary>Issue 10: equal 100 ms tasks on a warm cluster finish in about ⌈n/p⌉ task times, spread over both nodes.</summary>
    private static void MeasureSpread(ScenarioContext context, LoopbackCluster cluster, DateTime deadline)
    {
        var pool = cluster.Pool;
        var workers = pool.Processes;
        context.Begin(SpreadRow, SpreadTasks);
        var (seconds, results) = Bounded(() => ScenarioContext.Time(() =>
            pool.MapAsync(Fn.NapOnNode, Enumerable.Repeat(100, SpreadTasks), 1).Get(LoopbackCluster.Remaining(deadline))), deadline, SpreadRow);
        Check(SpreadRow, results.Count == SpreadTasks && results.All(r => r.Ms == 100), $"{results.Count} results");
        var perNode = results.GroupBy(r => r.NodePid).Select(g => g.Count()).OrderDescending().ToList();
        var row = BenchRow.Timed(SpreadRow, SpreadTasks, workers, seconds, new System.Text.Json.Nodes.JsonObject
        {
            ["nodes"] = cluster.Nodes,
            ["workers"] = workers,
            ["ideal_seconds"] = Math.Ceiling(SpreadTasks / (double)Math.Max(1, workers)) * 0.1,
            ["tasks_per_node"] = string.Join("/", perNode),
        });
        context.Record(row);
    }

    /// <summary>Runs <paramref name="body"/> on another thread and waits for it until <paramref name="deadline"/>
    /// (an enumeration such as ImapUnordered has no timeout of its own); the overrun body is abandoned to the
    /// cluster's disposal.</summary>
    private static T Bounded<T>(Func<T> body, DateTime deadline, string what)
    {
        var task = Task.Factory.StartNew(body, TaskCreationOptions.LongRunning);
        try
        {
            if (!task.Wait(LoopbackCluster.Remaining(deadline)))
                throw new TimeoutException($"{what} did not finish by the group's deadline");
        }
        catch (AggregateException e) when (e.InnerException is { } inner)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(inner).Throw();
        }
        return task.Result;
    }

    private static void Check(string name, bool ok, string got)
    {
        if (!ok) throw new InvalidOperationException($"{name}: wrong results ({got})");
    }

    private static long SumOfSquares(long n) => (n - 1) * n * (2 * n - 1) / 6;

    private static double Percentile(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static void Log(string message) => Console.Error.WriteLine($"        cluster: {message}");
}
