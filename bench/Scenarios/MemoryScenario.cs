using System.Text.Json.Nodes;

namespace PoolCluster.Bench.Scenarios;

/// <summary>
/// mem (ours; the anchor has no memory rows, <see cref="Anchor.PythonMemoryProbe"/> measures Python's side):
/// resident size (VmRSS) of one idle child, found through <c>Apply(Work.ProcessId)</c>, and of this parent process.
/// The runner runs it first, so the parent's figure is that of a fresh process holding one pool.
/// </summary>
public sealed class MemoryScenario : IScenario
{
    /// <summary>Row name of the idle child's resident size.</summary>
    public const string ChildRow = "memory_idle_child_rss";

    /// <summary>Row name of the parent's resident size.</summary>
    public const string ParentRow = "memory_parent_rss";

    /// <inheritdoc />
    public string Key => "mem";

    /// <inheritdoc />
    public bool InAnchor => false;

    /// <inheritdoc />
    public void Run(ScenarioContext context)
    {
        context.Begin(ChildRow, 1);
        var pool = context.NewPool();
        Thread.Sleep(TimeSpan.FromMilliseconds(500)); // idle: let the children settle after the warm-up
        var pids = Enumerable.Range(0, context.Processes * 2)
            .Select(_ => pool.ApplyAsync(Fn.ProcessId).Get(context.CallTimeout)).Distinct().ToList();
        var all = new JsonArray(pids.Select(pid => (JsonNode?)ResidentMegabytes(pid)).ToArray());
        var child = new BenchRow(ChildRow, 1, context.Processes, ResidentMegabytes(pids[0]), BenchRow.Megabytes)
        {
            Extra = new JsonObject { ["pid"] = pids[0], ["children_seen_rss_mb"] = all },
        };
        var parent = new BenchRow(ParentRow, 1, context.Processes, ResidentMegabytes(Environment.ProcessId), BenchRow.Megabytes)
        {
            Extra = new JsonObject { ["gc_heap_mb"] = Math.Round(GC.GetTotalMemory(false) / 1048576.0, 1) },
        };
        context.Retire(pool, child);
        context.Record(child);
        context.Begin(ParentRow, 1);
        context.Record(parent);
    }

    /// <summary>VmRSS from <c>/proc/&lt;pid&gt;/status</c>, in MiB (the unit <c>ps</c> and Python's probe use).</summary>
    public static double ResidentMegabytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        var kb = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0]);
        return Math.Round(kb / 1024.0, 1);
    }
}
