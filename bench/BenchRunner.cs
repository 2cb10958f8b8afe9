using System.Text.Json;
using System.Text.Json.Nodes;
using PoolCluster.Bench.Anchor;
using PoolCluster.Bench.Report;
using PoolCluster.Bench.Scenarios;

namespace PoolCluster.Bench;

/// <summary>
/// One benchmark invocation: the Python anchor first (so the two never compete for the cores), then our scenario
/// groups, each under a time limit; then the table on <c>output</c>, and the JSON and SVG files if asked for.
/// Progress goes to <c>log</c>.
/// </summary>
public sealed class BenchRunner(BenchOptions options, TextWriter output, TextWriter log)
{
    /// <summary>Processes per pool, as in the issue's targets.</summary>
    public const int Processes = 2;

    private const string NotYetAvailable = "not yet available";

    /// <summary>Every scenario group in run order: <c>mem</c> first (a fresh parent), <c>start</c>, then the anchor's order, then
    /// <c>cluster</c>.</summary>
    public static IReadOnlyList<IScenario> Scenarios { get; } = Ordered(PoolOpScenario.All.Concat(
    [
        new MemoryScenario(), new ChildStartScenario(), new CpuBurnScenario(), new StartupScenario(), new MaxTasksPerChildScenario(),
        new PayloadScenario(), new KillScenario(), new ClusterScenario(),
    ]));

    /// <summary>Runs the benchmark; 0 when every selected scenario produced its rows, 1 when one failed or timed out,
    /// 2 for an unknown scenario key. Missed targets do not fail the run: they are ratios to read, not tests.</summary>
    public int Run()
    {
        var unknown = options.Only?.Except(Scenarios.Select(s => s.Key)).ToList() ?? [];
        if (unknown.Count > 0)
        {
            log.WriteLine($"unknown scenario key(s): {string.Join(", ", unknown)}; known: {string.Join(",", Scenarios.Select(s => s.Key))}");
            return 2;
        }
        var selected = Scenarios.Where(s => options.Only?.Contains(s.Key) ?? true).ToList();
        var sizes = options.Quick ? Sizes.Quick : Sizes.Full;
        log.WriteLine($"PoolCluster bench ({(options.Quick ? "quick" : "full")} sizes, processes = {Processes}): " +
                      string.Join(",", selected.Select(s => s.Key)));

        var (python, anchor) = RunPython(selected);
        var warnings = new List<string>();
        var ours = selected.SelectMany(s => RunGuarded(s, sizes, warnings)).ToList();
        var comparisons = Comparison.Build(ours, python.Rows);

        output.WriteLine();
        output.Write(TextTable.Render(comparisons));
        output.WriteLine($"python: {python.Status}{(anchor is null ? "" : $" ({anchor})")}");
        output.WriteLine($"machine: {Machine.ProcessorCount} cpus, {Machine.CpuModel}; {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}");
        foreach (var w in warnings) output.WriteLine($"warning: {w}");

        var meta = Meta(python, anchor, warnings);
        if (options.JsonPath is { } jsonPath)
        {
            WriteFile(jsonPath, Document(meta, python, ours, comparisons).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            output.WriteLine($"json: {jsonPath}");
        }
        if ((options.ChartPath ?? (options.JsonPath is { } j ? Path.ChangeExtension(j, ".svg") : null)) is { } chartPath)
        {
            var subtitle = $"{meta["time"]}, {Machine.ProcessorCount} cpus ({Machine.CpuModel}), processes = {Processes}, " +
                           $"{(options.Quick ? "quick" : "full")} sizes, Python {python.Meta?["python"]?.ToString() ?? "not run"}";
            WriteFile(chartPath, SvgChart.Render(comparisons, subtitle));
            output.WriteLine($"chart: {chartPath}");
        }
        return ours.All(r => r.Ok || r.Status == NotYetAvailable) ? 0 : 1;
    }

    private static IReadOnlyList<IScenario> Ordered(IEnumerable<IScenario> scenarios)
    {
        string[] order = ["mem", "start", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "kill", "cluster"];
        return scenarios.OrderBy(s => Array.IndexOf(order, s.Key)).ToList();
    }

    private (PythonSide Side, string? Anchor) RunPython(IReadOnlyList<IScenario> selected)
    {
        if (options.NoPython) return (PythonSide.Skipped("--no-python"), null);
        var anchor = PythonAnchor.Locate(options.AnchorPath);
        if (anchor is null)
            return (PythonSide.Skipped(options.AnchorPath is null ? $"{PythonAnchor.RelativePath} not found above this directory" : $"{options.AnchorPath} not found"), null);

        var keys = selected.Where(s => s.InAnchor).Select(s => s.Key).ToList();
        var side = keys.Count == 0
            ? new PythonSide("ok", null, [])
            : PythonAnchor.Run(options.Python, anchor, options.Quick, keys,
                TimeSpan.FromSeconds(options.Quick ? 120 : 600), row => Progress("python", row));
        if (selected.Any(s => s is MemoryScenario) && !side.Status.StartsWith("skipped", StringComparison.Ordinal))
        {
            var (status, rows) = PythonMemoryProbe.Run(options.Python, TimeSpan.FromSeconds(60));
            foreach (var row in rows) Progress("python", row);
            side = side with { Rows = [.. side.Rows, .. rows], Status = status == "ok" ? side.Status : $"{side.Status}; memory probe: {status}" };
        }
        return (side, anchor);
    }

    /// <summary>Runs one group on its own thread under the time limit. A group that throws or overruns yields a row
    /// for the measurement in progress with the reason; its pools are disposed (within a bound) either way.</summary>
    private IReadOnlyList<BenchRow> RunGuarded(IScenario scenario, Sizes sizes, List<string> warnings)
    {
        var limit = options.ScenarioTimeout;
        var context = new ScenarioContext(sizes, Processes, limit, row => Progress("ours", row));
        var run = Task.Factory.StartNew(() => scenario.Run(context), TaskCreationOptions.LongRunning);
        string? failure = null;
        try
        {
            if (!run.Wait(limit)) failure = $"timeout after {limit.TotalSeconds:0} s";
        }
        catch (AggregateException e)
        {
            var inner = e.InnerException!;
            failure = $"error: {inner.GetType().Name}: {inner.Message.Split('\n')[0]}";
        }
        if (failure is not null)
        {
            var (name, n) = context.Pending ?? (scenario.Key, 0);
            context.Record(BenchRow.Failed(name, n, Processes, failure));
            warnings.Add($"{scenario.Key}: {name} {failure}");
        }
        warnings.AddRange(context.DisposePools(TimeSpan.FromSeconds(20)).Select(w => $"{scenario.Key}: {w}"));
        return context.Rows;
    }

    private void Progress(string side, BenchRow row) =>
        log.WriteLine($"{side,-7}{row.Scenario,-34} n={row.N,-10:N0}p={row.Processes}  {Comparison.Value(row)}");

    private JsonObject Meta(PythonSide python, string? anchor, List<string> warnings) => new()
    {
        ["bench"] = "PoolCluster bench (bench/Pool.Bench)",
        ["time"] = DateTimeOffset.Now.ToString("yyyy-MM-ddTHH:mm:sszzz"),
        ["quick"] = options.Quick,
        ["processes"] = Processes,
        ["only"] = options.Only is null ? null : new JsonArray(options.Only.Select(k => (JsonNode?)k).ToArray()),
        ["scenario_timeout_seconds"] = options.ScenarioTimeout.TotalSeconds,
        ["anchor"] = anchor,
        ["python_status"] = python.Status,
        ["machine"] = Machine.Describe(),
        ["warnings"] = new JsonArray(warnings.Select(w => (JsonNode?)w).ToArray()),
    };

    private static JsonObject Document(JsonObject meta, PythonSide python, IEnumerable<BenchRow> ours, IEnumerable<Comparison> comparisons) => new()
    {
        ["meta"] = meta,
        ["python"] = new JsonObject
        {
            ["status"] = python.Status,
            ["meta"] = python.Meta,
            ["results"] = new JsonArray(python.Rows.Select(r => (JsonNode?)r.ToJson()).ToArray()),
        },
        ["ours"] = new JsonObject { ["results"] = new JsonArray(ours.Select(r => (JsonNode?)r.ToJson()).ToArray()) },
        ["comparison"] = new JsonArray(comparisons.Select(c => (JsonNode?)new JsonObject
        {
            ["scenario"] = c.Ours.Scenario,
            ["n"] = c.Ours.N,
            ["unit"] = c.Ours.Unit,
            ["python"] = c.Python?.Value,
            ["ours"] = c.Ours.Value,
            ["ours_status"] = c.Ours.Status,
            ["ratio"] = c.TimeRatio is { } r ? Math.Round(r, 4) : null,
            ["target"] = c.Target?.Label,
            ["target_value"] = c.TargetValue,
            ["met"] = c.Met,
        }).ToArray()),
    };

    private static void WriteFile(string path, string text)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } dir) Directory.CreateDirectory(dir);
        File.WriteAllText(path, text);
    }
}
