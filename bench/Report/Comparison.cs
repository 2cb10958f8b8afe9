using System.Globalization;

namespace PoolCluster.Bench.Report;

/// <summary>One line of the side-by-side table: our row, Python's row with the same scenario, n and processes, and the
/// target that applies.</summary>
/// <param name="Ours">Our row.</param>
/// <param name="Python">Python's row, when the anchor (or the memory probe) has one.</param>
public sealed record Comparison(BenchRow Ours, BenchRow? Python)
{
    /// <summary>The target for this row, if any.</summary>
    public Target? Target { get; } = Target.For(Ours.Scenario);

    /// <summary>Ours / Python, when both sides measured.</summary>
    public double? TimeRatio => Ratio(Ours, Python);

    /// <summary>The figure the target is judged on.</summary>
    public double? TargetValue => Target?.Measure(Ours, Python);

    /// <summary>True or false when the target could be judged, null when there is none or no figure.</summary>
    public bool? Met => TargetValue is { } v && Target is { } t ? t.IsMet(v) : null;

    /// <summary>Pairs each of our rows with Python's.</summary>
    public static IReadOnlyList<Comparison> Build(IEnumerable<BenchRow> ours, IReadOnlyList<BenchRow> python) =>
        ours.Select(o => new Comparison(o, python.FirstOrDefault(p =>
            p.Scenario == PythonScenario(o.Scenario) && p.N == o.N && p.Processes == o.Processes))).ToList();

    /// <summary>The anchor's row a row of ours is compared with: its own name, unless the anchor has no such scenario.</summary>
    private static string PythonScenario(string ours) =>
        ours == Scenarios.CpuBurnScenario.AfterQuickTasksRow ? "f_cpu_burn_map" : ours;

    /// <summary>Ours / Python of two measured rows, otherwise null.</summary>
    public static double? Ratio(BenchRow ours, BenchRow? python) =>
        ours.Ok && python is { Ok: true, Value: > 0 } ? ours.Value / python.Value : null;

    /// <summary>What the table's notes column says: the scenario's own figures, both sides where both have them.</summary>
    public string Notes()
    {
        if (Ours.Status != "ok") return "";
        string Both(string field, string format, string unit = "") =>
            $"ours {Fmt(Ours.Number(field), format)}{unit} / py {Fmt(Python?.Number(field), format)}{unit}";
        return Ours.Scenario switch
        {
            "f_cpu_burn_map" or Scenarios.CpuBurnScenario.AfterQuickTasksRow => $"efficiency {Both("efficiency", "0.00")}; burn {Fmt(Ours.Number("burn_call_ms"), "0")} ms",
            "g_pool_startup_teardown" => $"new pool → first result: median {Ms(Ours.Number("first_result_seconds"))}, " +
                                         $"first in process {Ms(Ours.Number("first_result_cold_seconds"))}, " +
                                         $"hello world {Ms(Ours.Number("hello_world_seconds"))}; times are whole cycles",
            Scenarios.ChildStartScenario.ChildRow => $"hello world {Ms(Ours.Number("hello_world_seconds"))}; CPU to ready: " +
                                                     $"{Fmt(Ours.Number("cpu_ms"), "0.0")} ms / hello world {Fmt(Ours.Number("hello_world_cpu_ms"), "0.0")} ms",
            Scenarios.ChildStartScenario.HelloRow => $"the floor: dotnet HelloWorld.dll, spawn → first line; CPU {Fmt(Ours.Number("cpu_ms"), "0.0")} ms",
            "h_maxtasksperchild1" => $"one child's life {Fmt(Ours.Number("child_cycle_ms"), "0.0")} ms; CPU per task: children " +
                                     $"{Fmt(Ours.Number("children_cpu_ms_per_task"), "0.0")} ms, parent {Fmt(Ours.Number("parent_cpu_ms_per_task"), "0.0")} ms " +
                                     "(stage trail in the JSON: trail_ms)",
            "i_payload_1MB_same_object" or "i_payload_1MB_distinct" => $"MB/s each way: {Both("mb_per_sec", "0")}",
            "kill_pool_apply_async" => $"caller gets: ours {ExceptionName(Ours.Text("outcome"))}, py {ExceptionName(Python?.Text("outcome"))}; " +
                                       $"usable after: ours {Ours.Text("pool_usable_after")}, py {Python?.Text("pool_usable_after") ?? "—"}",
            Scenarios.MemoryScenario.ChildRow or Scenarios.MemoryScenario.ChildPssRow =>
                $"median of {Ours.Text("children")} children; idle dotnet hello world {Fmt(Ours.Number("hello_world_mb"), "0.0")} MB; " +
                $"py start method {Python?.Text("start_method") ?? "—"}",
            "memory_parent_rss" => $"GC heap {Fmt(Ours.Number("gc_heap_mb"), "0.0")} MB",
            _ when Ours.Scenario.StartsWith("cluster", StringComparison.Ordinal) => Scenarios.ClusterScenario.Notes(Ours),
            _ when Ours.N > 1 => $"µs/task {Both("us_per_task", "0.0##")}",
            _ => "",
        };
    }

    /// <summary>A ratio as the table and chart print it: two decimals, or two significant digits below 0.01.</summary>
    public static string FormatRatio(double ratio) =>
        ratio.ToString(ratio >= 0.01 ? "0.00" : "G2", CultureInfo.InvariantCulture);

    /// <summary>A row's value with its unit: <c>0.163 s</c>, <c>850 µs</c>, <c>41.2 MB</c>; its status when unmeasured.</summary>
    public static string Value(BenchRow? row) => row switch
    {
        null => "—",
        { Ok: false } => row.Status,
        { Unit: BenchRow.Megabytes } => $"{row.Value:0.0} MB",
        _ => Seconds(row.Value!.Value),
    };

    private static string Seconds(double s) => s switch
    {
        >= 100 => s.ToString("0.0 s", CultureInfo.InvariantCulture),
        >= 0.001 => s.ToString("0.000 s", CultureInfo.InvariantCulture),
        _ => (s * 1e6).ToString("0 µs", CultureInfo.InvariantCulture),
    };

    /// <summary><c>multiprocessing.context.TimeoutError: ...</c> → <c>TimeoutError</c>.</summary>
    private static string ExceptionName(string? outcome) =>
        outcome is null ? "—" : outcome.Split(':')[0].Split('.')[^1];

    private static string Ms(double? s) => s is { } v ? $"{v * 1e3:0} ms" : "—";

    private static string Fmt(double? v, string format) => v?.ToString(format, CultureInfo.InvariantCulture) ?? "—";
}
