// Command line: System.CommandLine 2.0.0 (pinned centrally; the mirror serves it).
using System.CommandLine;
using System.Globalization;
using PoolCluster.Bench;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var quick = new Option<bool>("--quick") { Description = "The anchor's --quick sizes (CI smoke run, well under a minute)." };
var json = new Option<string?>("--json") { Description = "Save meta, both sides' rows and the comparison to this JSON file." };
var only = new Option<string?>("--only")
{
    Description = $"Comma list of scenario keys to run: {string.Join(",", BenchRunner.Scenarios.Select(s => s.Key))}.",
};
var noPython = new Option<bool>("--no-python") { Description = "Do not run the Python anchor." };
var anchor = new Option<string?>("--anchor") { Description = "Path to python_pool_bench.py (default: found in ../shared/anchors above here)." };
var python = new Option<string>("--python") { Description = "Python interpreter.", DefaultValueFactory = _ => "python3" };
var chart = new Option<string?>("--chart") { Description = "Write the SVG chart here (default: beside --json, same name, .svg)." };
var timeout = new Option<int?>("--scenario-timeout")
{
    Description = "Seconds one scenario group may take before it is reported as a timeout (default 30 quick, 300 full).",
};

var root = new RootCommand("PoolCluster beside Python's multiprocessing.Pool: the anchor's scenarios, one table of ratios.")
{
    quick, json, only, noPython, anchor, python, chart, timeout,
};
root.SetAction(parsed =>
{
    var isQuick = parsed.GetValue(quick);
    var keys = parsed.GetValue(only)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
    var options = new BenchOptions(isQuick, parsed.GetValue(json), keys, parsed.GetValue(noPython), parsed.GetValue(anchor),
        parsed.GetValue(python)!, parsed.GetValue(chart), TimeSpan.FromSeconds(parsed.GetValue(timeout) ?? (isQuick ? 30 : 300)));
    return new BenchRunner(options, Console.Out, Console.Error).Run();
});
var exitCode = root.Parse(args).Invoke();
// A pool that failed to shut down could leave foreground threads behind; the run is over either way.
Environment.Exit(exitCode);
