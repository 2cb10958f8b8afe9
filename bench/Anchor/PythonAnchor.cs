using System.Text.Json.Nodes;

namespace PoolCluster.Bench.Anchor;

/// <summary>Python's side of the run: the anchor script's meta and rows, or why there are none.</summary>
/// <param name="Status"><c>ok</c>, <c>skipped: ...</c>, <c>timeout ...</c> or <c>error: ...</c>.</param>
/// <param name="Meta">The anchor's <c>meta</c> object.</param>
/// <param name="Rows">The anchor's rows, plus the memory probe's.</param>
public sealed record PythonSide(string Status, JsonObject? Meta, IReadOnlyList<BenchRow> Rows)
{
    /// <summary>A side that did not run.</summary>
    public static PythonSide Skipped(string why) => new($"skipped: {why}", null, []);
}

/// <summary>
/// Finds and runs <c>python_pool_bench.py</c>, the anchor this benchmark is measured against, with
/// <c>--json</c> (and <c>--quick</c>, <c>--only</c> as this run has them) and reads its JSON.
/// </summary>
public static class PythonAnchor
{
    /// <summary>Where the anchor lives relative to the directory that holds the repository.</summary>
    public const string RelativePath = "shared/anchors/python_pool_bench.py";

    /// <summary>
    /// The anchor: <paramref name="explicitPath"/> when given, otherwise the first <c>shared/anchors/python_pool_bench.py</c>
    /// found walking up from the current directory, then from the bench's own directory (the repository's
    /// <c>../shared/anchors</c>). Null when there is none.
    /// </summary>
    public static string? Locate(string? explicitPath)
    {
        if (explicitPath is not null) return File.Exists(explicitPath) ? Path.GetFullPath(explicitPath) : null;
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, RelativePath);
                if (File.Exists(candidate)) return candidate;
            }
        return null;
    }

    /// <summary>Runs the anchor's groups <paramref name="keys"/> and parses its <c>--json</c> file.</summary>
    public static PythonSide Run(string python, string anchor, bool quick, IReadOnlyCollection<string> keys,
        TimeSpan limit, Action<BenchRow> onRow)
    {
        var json = Path.Combine(Path.GetTempPath(), $"pool-bench-python-{Environment.ProcessId}.json");
        List<string> arguments = [anchor, "--json", json, "--only", string.Join(",", keys)];
        if (quick) arguments.Add("--quick");
        try
        {
            var outcome = PythonProcess.Run(python, arguments, limit, line =>
            {
                if (TryParseRow(line) is { } row) onRow(row);
            });
            if (outcome.Status != "ok" || !File.Exists(json)) return new PythonSide(outcome.Status, null, ParseLines(outcome.Stdout));
            var document = JsonNode.Parse(File.ReadAllText(json))!.AsObject();
            var rows = document["results"]!.AsArray().Select(r => BenchRow.FromJson(r!.AsObject())).ToList();
            return new PythonSide("ok", document["meta"]?.AsObject().DeepClone().AsObject(), rows);
        }
        finally
        {
            File.Delete(json);
        }
    }

    /// <summary>Rows from the anchor's JSON lines, for a run that ended before writing its file.</summary>
    private static List<BenchRow> ParseLines(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(TryParseRow).OfType<BenchRow>().ToList();

    private static BenchRow? TryParseRow(string line)
    {
        try
        {
            return JsonNode.Parse(line) is JsonObject o && o.ContainsKey("scenario") ? BenchRow.FromJson(o) : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
