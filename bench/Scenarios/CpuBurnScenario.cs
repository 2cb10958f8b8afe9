using System.Text.Json.Nodes;

namespace PoolCluster.Bench.Scenarios;

/// <summary>
/// f: CPU-bound Map of <c>t</c> calls of ~50 ms each (<see cref="Work.Burn"/>, calibrated here as the anchor
/// calibrates its <c>burn</c>). Efficiency = serial time / parallel time / processes: 1.0 is a perfect split.
/// </summary>
public sealed class CpuBurnScenario : IScenario
{
    private const string Name = "f_cpu_burn_map";

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
        var speedup = serial / parallel;
        var row = BenchRow.Timed(Name, t, p, parallel, new JsonObject
        {
            ["burn_k"] = k,
            ["burn_call_ms"] = Math.Round(perCall * 1e3, 2),
            ["serial_seconds"] = Math.Round(serial, 6),
            ["ideal_seconds"] = Math.Round(t * perCall / p, 6),
            ["speedup"] = Math.Round(speedup, 3),
            ["efficiency"] = Math.Round(speedup / p, 3),
        });
        context.Retire(pool, row);
        context.Record(row);
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
