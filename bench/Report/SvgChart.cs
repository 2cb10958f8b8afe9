using System.Globalization;
using System.Net;
using System.Text;

namespace PoolCluster.Bench.Report;

/// <summary>
/// The chart for docs/performance.md, written as SVG text: one horizontal bar per row with both sides measured,
/// length = ours / Python on a log scale (left of the grey 1× line we are faster), coloured by its target
/// (green met, red not met, grey none), the row's target drawn as a dark tick when it is a ratio.
/// </summary>
public static class SvgChart
{
    private const int Left = 300, PlotWidth = 460, Right = 300, RowHeight = 24, Top = 64, Bottom = 44;

    /// <summary>Renders the chart; <paramref name="subtitle"/> names the machine and the run.</summary>
    public static string Render(IReadOnlyList<Comparison> rows, string subtitle)
    {
        var shown = rows.Where(r => r.TimeRatio is not null || r.Target is not null).ToList();
        var ratios = shown.Select(r => r.TimeRatio).OfType<double>()
            .Concat(shown.Where(r => r.Target?.IsRatio == true).Select(r => r.Target!.Limit)).Append(1.0).ToList();
        var lo = Math.Pow(10, Math.Floor(Math.Log10(ratios.Min())));
        var hi = Math.Pow(10, Math.Ceiling(Math.Log10(ratios.Max())));
        if (hi / lo < 10) hi = lo * 10;
        double X(double ratio) => Left + PlotWidth * (Math.Log10(Math.Clamp(ratio, lo, hi)) - Math.Log10(lo)) / (Math.Log10(hi) - Math.Log10(lo));

        var width = Left + PlotWidth + Right;
        var height = Top + shown.Count * RowHeight + Bottom;
        var svg = new StringBuilder();
        svg.AppendLine(Inv($"""<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">"""));
        svg.AppendLine(Inv($"""<rect width="{width}" height="{height}" fill="#ffffff"/>"""));
        svg.AppendLine(Inv($"""<text x="12" y="22" font-size="15" font-weight="bold">PoolCluster vs Python multiprocessing.Pool: time ours / Python (log scale, lower is better)</text>"""));
        svg.AppendLine(Inv($"""<text x="12" y="42" fill="#555555">{Esc(subtitle)}</text>"""));

        foreach (var tick in Ticks(lo, hi))
        {
            var x = X(tick);
            svg.AppendLine(Inv($"""<line x1="{x:0.#}" y1="{Top - 6}" x2="{x:0.#}" y2="{height - Bottom + 4}" stroke="{(tick == 1 ? "#888888" : "#e4e4e4")}" stroke-width="{(tick == 1 ? 1.5 : 1)}"/>"""));
            svg.AppendLine(Inv($"""<text x="{x:0.#}" y="{height - Bottom + 18}" text-anchor="middle" fill="#555555">{tick:G4}×</text>"""));
        }

        for (var i = 0; i < shown.Count; i++)
        {
            var row = shown[i];
            var y = Top + i * RowHeight;
            var label = row.Ours.N > 1 ? $"{row.Ours.Scenario} ({row.Ours.N:N0})" : row.Ours.Scenario;
            svg.AppendLine(Inv($"""<text x="{Left - 8}" y="{y + 16}" text-anchor="end">{Esc(label)}</text>"""));
            if (row.TimeRatio is { } ratio)
            {
                var colour = row.Met switch { true => "#2e7d32", false => "#c62828", null => "#78909c" };
                svg.AppendLine(Inv($"""<rect x="{Left}" y="{y + 5}" width="{Math.Max(1, X(ratio) - Left):0.#}" height="{RowHeight - 9}" fill="{colour}"><title>{Esc($"{row.Ours.Scenario}: {Comparison.FormatRatio(ratio)}×")}</title></rect>"""));
            }
            if (row.Target is { IsRatio: true } target)
                svg.AppendLine(Inv($"""<line x1="{X(target.Limit):0.#}" y1="{y + 2}" x2="{X(target.Limit):0.#}" y2="{y + RowHeight - 1}" stroke="#111111" stroke-width="2.5"/>"""));
            svg.AppendLine(Inv($"""<text x="{Left + PlotWidth + 10}" y="{y + 16}">{Esc(Annotation(row))}</text>"""));
        }
        svg.AppendLine(Inv($"""<text x="12" y="{height - 8}" fill="#555555">bar: ours/Python (time; MB for memory rows); black tick: ratio target; green met, red not met, grey no ratio target; right: target and the figure it is judged on</text>"""));
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static string Annotation(Comparison row)
    {
        var ratio = row.TimeRatio is { } r ? $"{Comparison.FormatRatio(r)}×" : $"{Comparison.Value(row.Ours)};";
        if (row.Target is not { } target) return ratio;
        var verdict = row.Met switch { true => "met", false => "NOT met", null => "n/a" };
        return target.IsRatio || row.TargetValue is not { } v
            ? $"{ratio}   {target.Label} → {verdict}"
            : $"{ratio}   {target.Label}: {v:0.###} → {verdict}";
    }

    /// <summary>1-2-5 ticks per decade while they fit; decades only on a wide scale.</summary>
    private static IEnumerable<double> Ticks(double lo, double hi)
    {
        int[] steps = hi / lo > 1_000 ? [1] : [1, 2, 5];
        for (var decade = lo; decade < hi * 1.001; decade *= 10)
            foreach (var m in steps)
                if (decade * m <= hi * 1.001) yield return decade * m;
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static string Esc(string s) => WebUtility.HtmlEncode(s);
}
