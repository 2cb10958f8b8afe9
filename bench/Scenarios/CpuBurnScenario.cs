using System.Text.Json.Nodes;

namespace PoolCluster.Bench.Scenarios;

/// <summary>
/// f: CPU-bound Map of <c>t</c> calls of ~50 ms each (<see cref="Work.Burn"/>, calibrated here as the anchor
/// calibrates its <c>burn</c>). Efficiency = serial time / parallel time / processes: 1.0 is a perfect split.
/// A second row runs quick tasks first and then the same Map on the same pool (issue 10: a pool that ran quick work
/// queues deep in its children, and must still split slow work evenly); its Python counterpart is the f row.
/// </summary>
public sealed class CpuBurnScenario : IScenario
{
    private const string Name = "f_cpu_burn_map";

    /// <summary>The Map of <c>burn</c> after quick tasks on the same pool.</summary>
    public const string AfterQuickTasksRow = "f_cpu_burn_map_after_quick_tasks";

    /// <inheritdoc />
    public string Key => "f";

    /// <inheritdoc />
    public bool InAnchor => true;

    /// <inheritdoc />
    public void Run(ScenarioContext context)
    {
        var t = context.Sizes.BurnTasks;
        var p = context.Processes;
        context.Begin(Name, t);
        var k = Calibrate(TimeSpan.FromMilliseconds(50));
        var perCall = Enumerable.Range(0, 3).Min(_ => ScenarioContext.Time(() => Work.Burn(k)).Seconds);
        var (serial, _) = ScenarioContext.Time(() => Enumerable.Range(0, t).Select(_ => Work.Burn(k)).ToList());
        var pool = context.NewPool();
        var (parallel, results) = ScenarioContext.Time(() => pool.MapAsync(Fn.Burn, Enumerable.Repeat(k, t)).Get(context.CallTimeout));
        if (results.Count != t || results.Any(r => r != k * (k - 1) / 2))
            throw new InvalidDataException($"{Name}: wrong results");
        var row = Row(Name, t, p, k, perCall, serial, parallel);

        context.Begin(AfterQuickTasksRow, t);
        // Quick work of every kind first: each worker learns to queue many chunks in its child.
        pool.MapAsync(Fn.Square, ScenarioContext.Range(20_000), 1).Get(context.CallTimeout);
        foreach (var _ in pool.Imap(Fn.Square, ScenarioContext.Range(2_000))) { }
        for (var i = 0; i < 200; i++) pool.ApplyAsync(Fn.Square, i).Get(context.CallTimeout);
        var (afterQuick, again) = ScenarioContext.Time(() => pool.MapAsync(Fn.Burn, Enumerable.Repeat(k, t)).Get(context.CallTimeout));
        if (again.Count != t || again.Any(r => r != k * (k - 1) / 2))
            throw new InvalidDataException($"{AfterQuickTasksRow}: wrong results");
        var warmRow = Row(AfterQuickTasksRow, t, p, k, perCall, serial, afterQuick);
        context.Retire(pool, warmRow);
        context.Record(row);
        context.Record(warmRow);
    }

    private static BenchRow Row(string name, int t, int p, long k, double perCall, double serial, double parallel)
    {
        var speedup = serial / parallel;
        return BenchRow.Timed(name, t, p, parallel, new JsonObject
        {
            ["burn_k"] = k,
            ["burn_call_ms"] = Math.Round(perCall * 1e3, 2),
            ["serial_seconds"] = Math.Round(serial, 6),
            ["ideal_seconds"] = Math.Round(t * perCall / p, 6),
            ["speedup"] = Math.Round(speedup, 3),
            ["efficiency"] = Math.Round(speedup / p, 3),
        });
    }

    /// <summary>The anchor's <c>calibrate_burn</c>: double k until a call takes 10 ms, then scale to the target.</summary>
    private static long Calibrate(TimeSpan target)
    {
        for (long k = 200_000; ; k *= 2)
        {
            var best = Enumerable.Range(0, 3).Min(_ => ScenarioContext.Time(() => Work.Burn(k)).Seconds);
            if (best >= 0.01) return Math.Max(1, (long)(k * target.TotalSeconds / best));
        }
    }
}
