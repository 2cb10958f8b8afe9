using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using PoolCluster.WireFormat.Frames;
using PoolCluster.Worker.ChildProcess;

namespace PoolCluster.Bench.Scenarios;

/// <summary>
/// h: <c>MaxTasksPerChild = 1</c>, a chunk-size-1 Map: every task gets a fresh child, so this measures child start.
/// As in the anchor there is no warm-up, and pool creation is outside the timed region.
/// The notes carry a stopwatch trail of the children's lives (median ms between stages, <see cref="ChildTimeline"/>)
/// and the CPU the parent and the reaped children used, the figures to compare on a loaded machine.
/// </summary>
public sealed class MaxTasksPerChildScenario : IScenario
{
    private const string Name = "h_maxtasksperchild1";

    /// <inheritdoc />
    public string Key => "h";

    /// <inheritdoc />
    public bool InAnchor => true;

    /// <inheritdoc />
    public void Run(ScenarioContext context)
    {
        var n = context.Sizes.MaxTasksPerChild1;
        context.Begin(Name, n);
        var lives = new ConcurrentQueue<ChildTimeline>();
        ChildTimeline.Completed = lives.Enqueue;
        try
        {
            var pool = context.NewPool(maxTasksPerChild: 1, warmUp: false);
            var parentCpu = Process.GetCurrentProcess().TotalProcessorTime;
            var childrenCpu = ReapedChildrenCpuMilliseconds();
            var (seconds, results) = ScenarioContext.Time(() => pool.MapAsync(Fn.Square, ScenarioContext.Range(n), 1).Get(context.CallTimeout));
            parentCpu = Process.GetCurrentProcess().TotalProcessorTime - parentCpu;
            if (results.Count != n || results[^1] != (long)(n - 1) * (n - 1)) throw new InvalidDataException($"{Name}: wrong results");
            var row = BenchRow.Timed(Name, n, context.Processes, seconds, new JsonObject
            {
                // One child's life (start, one task, exit) as each of the parallel workers sees it.
                ["child_cycle_ms"] = Math.Round(seconds * context.Processes / n * 1e3, 2),
                // CPU per task: this process (router, workers, pipes, launches) and the children reaped meanwhile.
                ["parent_cpu_ms_per_task"] = Math.Round(parentCpu.TotalMilliseconds / n, 2),
                ["children_cpu_ms_per_task"] = Math.Round((ReapedChildrenCpuMilliseconds() - childrenCpu) / n, 2),
                ["trail_ms"] = Trail([.. lives]),
            });
            context.Retire(pool, row);
            context.Record(row);
        }
        finally
        {
            ChildTimeline.Completed = null;
        }
    }

    /// <summary>Median ms between successive stages over the children that ran a task. "start_wait": how long a chunk
    /// waited for its child to be ready (0 when the standby was ready before the chunk came).</summary>
    private static JsonObject Trail(IReadOnlyList<ChildTimeline> lives)
    {
        var ran = lives.Where(l => l.At(ChildStage.Answered) is not null).ToList();
        if (ran.Count == 0) return new JsonObject { ["children"] = 0 };
        double Median(ChildStage from, ChildStage to) =>
            Math.Round(Stats.Median(ran.Select(l => l.Millis(from, to)).OfType<double>()), 1);
        return new JsonObject
        {
            ["children"] = ran.Count,
            ["requested_to_launched"] = Median(ChildStage.Requested, ChildStage.Launched),
            ["launched_to_connected"] = Median(ChildStage.Launched, ChildStage.Connected),
            ["connected_to_ready"] = Median(ChildStage.Connected, ChildStage.Ready),
            ["start_wait"] = Math.Round(Stats.Median(ran.Select(l => Math.Max(0, l.Millis(ChildStage.TaskSent, ChildStage.Ready) ?? 0))), 1),
            ["task_to_answer"] = Math.Round(Stats.Median(ran.Select(l =>
                l.Millis(Later(l, ChildStage.TaskSent, ChildStage.Ready), ChildStage.Answered) ?? 0)), 1),
            ["answer_to_shutdown_sent"] = Median(ChildStage.Answered, ChildStage.ShutdownSent),
            ["shutdown_to_pipe_closed"] = Median(ChildStage.ShutdownSent, ChildStage.PipeClosed),
            ["pipe_closed_to_exit_reported"] = Median(ChildStage.PipeClosed, ChildStage.ExitReported),
            ["requested_to_exit_reported"] = Median(ChildStage.Requested, ChildStage.ExitReported),
        };
    }

    private static ChildStage Later(ChildTimeline life, ChildStage a, ChildStage b) =>
        (life.At(a) ?? 0) >= (life.At(b) ?? 0) ? a : b;

    /// <summary>User + system CPU of this process's reaped children (<c>cutime + cstime</c> of /proc/self/stat), ms.</summary>
    private static double ReapedChildrenCpuMilliseconds()
    {
        // Index 0 is stat's field 3, so cutime (16) and cstime (17) are at 13 and 14; ticks of 10 ms.
        var fields = ProcStat.Fields("self") ?? throw new IOException("/proc/self/stat could not be read");
        return (long.Parse(fields[13]) + long.Parse(fields[14])) * 10.0;
    }
}
