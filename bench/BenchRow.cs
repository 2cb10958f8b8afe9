using System.Globalization;
using System.Text.Json.Nodes;

namespace PoolCluster.Bench;

/// <summary>
/// One measured row, shaped like the anchor's JSON record (<c>scenario, n, processes, seconds, tasks_per_sec,
/// us_per_task</c> plus scenario-specific extras), so both sides' rows are compared field by field.
/// </summary>
/// <param name="Scenario">The anchor's row name, e.g. <c>b_map_chunksize1</c>.</param>
/// <param name="N">Tasks (or items) in the timed region.</param>
/// <param name="Processes">Worker processes.</param>
/// <param name="Value">Seconds for time rows, megabytes for memory rows; null when nothing was measured.</param>
/// <param name="Unit"><c>s</c> or <c>MB</c>.</param>
public sealed record BenchRow(string Scenario, long N, int Processes, double? Value, string Unit = BenchRow.Seconds)
{
    /// <summary>The unit of time rows.</summary>
    public const string Seconds = "s";

    /// <summary>The unit of memory rows.</summary>
    public const string Megabytes = "MB";

    /// <summary><c>ok</c>, <c>timeout</c>, <c>error: ...</c> or <c>not yet available</c>.</summary>
    public string Status { get; init; } = "ok";

    /// <summary>Scenario-specific fields (efficiency, outcome, mb_per_sec, ...), as the anchor names them.</summary>
    public JsonObject Extra { get; init; } = new();

    /// <summary>True when the row holds a measurement.</summary>
    public bool Ok => Status == "ok" && Value is not null;

    /// <summary>A timed row with the anchor's derived fields.</summary>
    public static BenchRow Timed(string scenario, long n, int processes, double seconds, JsonObject? extra = null)
    {
        var row = new BenchRow(scenario, n, processes, seconds) { Extra = extra ?? new JsonObject() };
        if (n > 0 && seconds > 0)
        {
            row.Extra["tasks_per_sec"] = Math.Round(n / seconds, 1);
            row.Extra["us_per_task"] = Math.Round(seconds / n * 1e6, 3);
        }
        return row;
    }

    /// <summary>A row for a scenario that produced no measurement.</summary>
    public static BenchRow Failed(string scenario, long n, int processes, string status) =>
        new(scenario, n, processes, null) { Status = status };

    /// <summary>A numeric extra field, or null.</summary>
    public double? Number(string field) =>
        Extra[field] is JsonValue v
        && double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;

    /// <summary>A text extra field, or null.</summary>
    public string? Text(string field) => Extra[field] switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonNode node => node.ToJsonString(),
        null => null,
    };

    /// <summary>The anchor's JSON shape: fixed fields first, then the extras.</summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject
        {
            ["scenario"] = Scenario,
            ["n"] = N,
            ["processes"] = Processes,
            [Unit == Megabytes ? "rss_mb" : "seconds"] = Value is { } v ? Math.Round(v, 6) : null,
            ["status"] = Status,
        };
        foreach (var (key, value) in Extra) o[key] = value?.DeepClone();
        return o;
    }

    /// <summary>Reads a row the anchor (or the Python memory probe) wrote.</summary>
    public static BenchRow FromJson(JsonObject o)
    {
        var memory = o.ContainsKey("rss_mb");
        var value = o[memory ? "rss_mb" : "seconds"]?.GetValue<double>();
        var extra = new JsonObject();
        foreach (var (key, node) in o)
            if (key is not ("scenario" or "n" or "processes" or "seconds" or "rss_mb" or "status"))
                extra[key] = node?.DeepClone();
        return new BenchRow(o["scenario"]!.GetValue<string>(), o["n"]?.GetValue<long>() ?? 0,
            o["processes"]?.GetValue<int>() ?? 0, value, memory ? Megabytes : Seconds)
        {
            Status = o["status"]?.GetValue<string>() ?? "ok",
            Extra = extra,
        };
    }
}
