using PoolCluster.Bench.Scenarios;

namespace PoolCluster.Bench.Report;

/// <summary>A target from issue 13 (or issue 5): a figure taken from a row (and its Python counterpart) and a limit it must meet.</summary>
/// <param name="Scenario">The row it applies to.</param>
/// <param name="Label">How the table and chart print it.</param>
/// <param name="Measure">The figure: ours and Python's row in, null when it cannot be computed.</param>
/// <param name="Limit">The limit.</param>
/// <param name="AtMost">True when the figure must be at most <paramref name="Limit"/>, false when at least.</param>
public sealed record Target(string Scenario, string Label, Func<BenchRow, BenchRow?, double?> Measure, double Limit, bool AtMost)
{
    /// <summary>Issue 13's targets (issue 5's where issue 13 has none), for 2 processes on the 2-core machine.</summary>
    public static IReadOnlyList<Target> All { get; } =
    [
        new(ChildStartScenario.ChildRow, "≤ 1.5 × hello world", (ours, _) => OfHelloWorld(ours, ours.Value), 1.5, AtMost: true),
        Ratio("a_map_default_chunk", 0.5),
        Ratio("b_map_chunksize1", 0.3),
        Ratio("c_imap", 0.3),
        Ratio("c_imap_unordered", 0.3),
        Ratio("d_apply_async", 0.3),
        Ratio("e_apply_sequential_roundtrip", 0.25),
        new("f_cpu_burn_map", "efficiency ≥ 0.95", (ours, _) => ours.Number("efficiency"), 0.95, AtMost: false),
        new(CpuBurnScenario.AfterQuickTasksRow, "efficiency ≥ 0.9", (ours, _) => ours.Number("efficiency"), 0.9, AtMost: false),
        new("g_pool_startup_teardown", "first result ≤ 2 × hello world",
            (ours, _) => OfHelloWorld(ours, ours.Number("first_result_seconds")), 2, AtMost: true),
        Ratio("h_maxtasksperchild1", 8),
        Ratio("i_payload_1MB_distinct", 0.5),
        new(MemoryScenario.ChildRow, "≤ 32 MB", (ours, _) => ours.Value, 32, AtMost: true),
        new(MemoryScenario.ChildPssRow, "≤ 10 MB", (ours, _) => ours.Value, 10, AtMost: true),
        new("cluster2_imap_unordered_chunksize1", "≥ 50,000 tasks/s", (ours, _) => ours.Number("tasks_per_sec"), 50_000, AtMost: false),
        new(ClusterScenario.ApplyRow, "median ≤ 0.25 ms", (ours, _) => ours.Number("median_ms"), 0.25, AtMost: true),
        new("cluster2_apply_sequential", "median ≤ 0.25 ms", (ours, _) => ours.Number("median_ms"), 0.25, AtMost: true),
        new(ClusterScenario.SpreadRow, "≤ 1.3 s", (ours, _) => ours.Value, 1.3, AtMost: true),
    ];

    /// <summary>True when the target is on the ours/Python time ratio (the chart draws it as a line).</summary>
    public bool IsRatio => Label.StartsWith("ratio", StringComparison.Ordinal);

    /// <summary>The target for a row, if it has one.</summary>
    public static Target? For(string scenario) => All.FirstOrDefault(t => t.Scenario == scenario);

    /// <summary>Whether <paramref name="value"/> meets the target.</summary>
    public bool IsMet(double value) => AtMost ? value <= Limit : value >= Limit;

    /// <summary>A time as a multiple of the hello-world start measured beside it (<c>hello_world_seconds</c>).</summary>
    private static double? OfHelloWorld(BenchRow ours, double? seconds) =>
        seconds is { } s && ours.Number("hello_world_seconds") is > 0 and var hello ? s / hello : null;

    private static Target Ratio(string scenario, double limit) =>
        new(scenario, $"ratio ≤ {limit:0.##}", (ours, python) => Comparison.Ratio(ours, python), limit, AtMost: true);
}
