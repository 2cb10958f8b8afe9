using System.Text.Json.Nodes;
using PoolCluster.Bench.Scenarios;

namespace PoolCluster.Bench.Anchor;

/// <summary>
/// Python's side of the <c>mem</c> group, which the anchor does not measure: a warmed-up
/// <c>multiprocessing.Pool(4)</c>, idle for 0.5 s, the median VmRSS and Pss of the children that answer
/// <c>apply(os.getpid)</c>, and the VmRSS of the (small) parent script. Same procedure and units as <see cref="MemoryScenario"/>.
/// </summary>
public static class PythonMemoryProbe
{
    private static readonly string Script = $$"""
        import json, multiprocessing as mp, os, statistics, time

        def kb(path, key):
            with open(path) as f:
                for line in f:
                    if line.startswith(key):
                        return int(line.split()[1])

        def rss(pid): return round(kb(f"/proc/{pid}/status", "VmRSS:") / 1024, 1)
        def pss(pid): return round(kb(f"/proc/{pid}/smaps_rollup", "Pss:") / 1024, 1)

        if __name__ == "__main__":
            n = {{MemoryScenario.Children}}
            with mp.Pool(n) as pool:
                pool.map(abs, range(n * 4), chunksize=1)
                time.sleep(0.5)
                pids = sorted({pool.apply(os.getpid) for _ in range(n * 4)})
                time.sleep(0.2)
                row = lambda name, f: {"scenario": name, "n": 1, "processes": n, "rss_mb": statistics.median(f(p) for p in pids),
                                       "pid": pids[0], "children": len(pids), "start_method": mp.get_start_method()}
                print(json.dumps([
                    row("{{MemoryScenario.ChildRow}}", rss), row("{{MemoryScenario.ChildPssRow}}", pss),
                    {"scenario": "{{MemoryScenario.ParentRow}}", "n": 1, "processes": n, "rss_mb": rss(os.getpid())}]))
        """;

    /// <summary>Runs the probe; its rows, or none when it fails.</summary>
    public static (string Status, IReadOnlyList<BenchRow> Rows) Run(string python, TimeSpan limit)
    {
        var outcome = PythonProcess.Run(python, ["-c", Script], limit);
        if (outcome.Status != "ok") return (outcome.Status, []);
        var rows = JsonNode.Parse(outcome.Stdout)!.AsArray().Select(r => BenchRow.FromJson(r!.AsObject())).ToList();
        return ("ok", rows);
    }
}
