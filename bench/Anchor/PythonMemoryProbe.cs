using System.Text.Json.Nodes;
using PoolCluster.Bench.Scenarios;

namespace PoolCluster.Bench.Anchor;

/// <summary>
/// Python's side of the <c>mem</c> group, which the anchor does not measure: a warmed-up <c>multiprocessing.Pool(2)</c>,
/// idle for 0.5 s, the VmRSS of the child that answers <c>apply(os.getpid)</c> and of the (small) parent script.
/// Same procedure and unit as <see cref="MemoryScenario"/>.
/// </summary>
public static class PythonMemoryProbe
{
    private const string Script = $$"""
        import json, multiprocessing as mp, os, time

        def rss(pid):
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return round(int(line.split()[1]) / 1024, 1)

        if __name__ == "__main__":
            with mp.Pool(2) as pool:
                pool.map(abs, range(8), chunksize=1)
                time.sleep(0.5)
                pid = pool.apply(os.getpid)
                print(json.dumps([
                    {"scenario": "{{MemoryScenario.ChildRow}}", "n": 1, "processes": 2, "rss_mb": rss(pid), "pid": pid,
                     "start_method": mp.get_start_method()},
                    {"scenario": "{{MemoryScenario.ParentRow}}", "n": 1, "processes": 2, "rss_mb": rss(os.getpid())}]))
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
