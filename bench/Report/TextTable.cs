using System.Globalization;
using System.Text;

namespace PoolCluster.Bench.Report;

/// <summary>The side-by-side table as aligned plain text (also valid as a Markdown table).</summary>
public static class TextTable
{
    private static readonly string[] Header = ["scenario", "n", "Python", "ours", "ours/Py", "target", "met", "notes"];

    /// <summary>Renders the comparisons, one line each, then a line counting the targets met.</summary>
    public static string Render(IReadOnlyList<Comparison> rows)
    {
        var cells = rows.Select(c => new[]
        {
            c.Ours.Scenario,
            c.Ours.N.ToString("N0", CultureInfo.InvariantCulture),
            Comparison.Value(c.Python),
            Comparison.Value(c.Ours),
            c.TimeRatio is { } r ? Comparison.FormatRatio(r) : "—",
            c.Target?.Label ?? "",
            c.Target is null ? "" : c.Met switch { true => "yes", false => "NO", null => "n/a" },
            c.Notes(),
        }).ToList();
        var widths = Header.Select((h, i) => cells.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        void Line(IReadOnlyList<string> r) =>
            text.AppendLine("| " + string.Join(" | ", r.Select((cell, i) => i is 1 or 2 or 3 or 4 ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i]))) + " |");
        Line(Header);
        text.AppendLine("|" + string.Join("|", widths.Select((w, i) => i is 1 or 2 or 3 or 4 ? new string('-', w + 1) + ":" : new string('-', w + 2))) + "|");
        cells.ForEach(Line);
        var judged = rows.Where(c => c.Target is not null).ToList();
        text.AppendLine($"targets met: {judged.Count(c => c.Met == true)} of {judged.Count} " +
                        $"(not met: {judged.Count(c => c.Met == false)}, not measurable: {judged.Count(c => c.Met is null)})");
        return text.ToString();
    }
}
