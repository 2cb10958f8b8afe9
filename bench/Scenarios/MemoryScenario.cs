using System.Text.Json.Nodes;

namespace PoolCluster.Bench.Scenarios;

/// <summary>
/// mem (ours; the anchor has no memory rows, <see cref="Anchor.PythonMemoryProbe"/> measures Python's side): the
/// memory of an idle child of a warmed-up pool of <see cref="Children"/>, found through <c>Apply(Work.ProcessId)</c>:
/// resident (VmRSS) and proportional (Pss, shared pages split between their sharers: the honest figure when the
/// runtime's files are mapped by every child), the median over the children; and this parent's resident size. The
/// runner runs it first, so the parent's figure is that of a fresh process holding one pool. The floor, an idle
/// <c>dotnet HelloWorld.dll</c> measured while the children are alive, goes into the notes.
/// </summary>
public sealed class MemoryScenario : IScenario
{
    /// <summary>Row name of the idle child's resident size.</summary>
    public const string ChildRow = "memory_idle_child_rss";

    /// <summary>Row name of the idle child's proportional size.</summary>
    public const string ChildPssRow = "memory_idle_child_pss";

    /// <summary>Row name of the parent's resident size.</summary>
    public const string ParentRow = "memory_parent_rss";

    /// <summary>Children alive while the memory is read (the targets are for 4).</summary>
    public const int Children = 4;

    /// <inheritdoc />
    public string Key => "mem";

    /// <inheritdoc />
    public bool InAnchor => false;

    /// <inheritdoc />
    public void Run(ScenarioContext context)
    {
        context.Begin(ChildRow, 1);
        var pool = context.NewPool(processes: Children);
        Thread.Sleep(TimeSpan.FromMilliseconds(500)); // idle: let the children settle after the warm-up
        var pids = Enumerable.Range(0, Children * 4)
            .Select(_ => pool.ApplyAsync(Fn.ProcessId).Get(context.CallTimeout)).Distinct().ToList();
        Thread.Sleep(TimeSpan.FromMilliseconds(200));
        double helloRss, helloPss;
        using (var hello = HelloWorld.Start(context.CallTimeout))
        {
            Thread.Sleep(TimeSpan.FromMilliseconds(200));
            (helloRss, helloPss) = (ProcFs.ResidentMegabytes(hello.Pid), ProcFs.ProportionalMegabytes(hello.Pid));
        }
        var rss = pids.Select(ProcFs.ResidentMegabytes).ToList();
        var pss = pids.Select(ProcFs.ProportionalMegabytes).ToList();
        JsonObject Extra(IEnumerable<double> seen, double floor) => new()
        {
            ["pid"] = pids[0],
            ["children"] = pids.Count,
            ["children_seen_mb"] = new JsonArray(seen.Select(v => (JsonNode?)Math.Round(v, 1)).ToArray()),
            ["hello_world_mb"] = Math.Round(floor, 1),
        };
        var child = new BenchRow(ChildRow, 1, Children, Math.Round(Stats.Median(rss), 1), BenchRow.Megabytes) { Extra = Extra(rss, helloRss) };
        var childPss = new BenchRow(ChildPssRow, 1, Children, Math.Round(Stats.Median(pss), 1), BenchRow.Megabytes) { Extra = Extra(pss, helloPss) };
        var parent = new BenchRow(ParentRow, 1, Children, Math.Round(ProcFs.ResidentMegabytes(Environment.ProcessId), 1), BenchRow.Megabytes)
        {
            Extra = new JsonObject { ["gc_heap_mb"] = Math.Round(GC.GetTotalMemory(false) / 1048576.0, 1) },
        };
        context.Retire(pool, child);
        context.Record(child);
        context.Begin(ChildPssRow, 1);
        context.Record(childPss);
        context.Begin(ParentRow, 1);
        context.Record(parent);
    }
}
