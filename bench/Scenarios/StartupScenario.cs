using System.Diagnostics;
using System.Text.Json.Nodes;

namespace PoolCluster.Bench.Scenarios;

/// <summary>
/// g: a pool's whole life, repeated: <c>new WorkerPool(2)</c> (actor system and child processes start),
/// one <c>Apply</c>, <c>Close</c>, <c>Join</c>, <c>Dispose</c>. <c>seconds</c> is the median cycle, comparable with the
/// anchor's <c>g_pool_startup_teardown</c>; the target applies to <c>first_result_seconds</c> (new pool → first result)
/// against <c>hello_world_seconds</c>, a bare <c>dotnet HelloWorld.dll</c> start timed between the cycles.
/// </summary>
public sealed class StartupScenario : IScenario
{
    private const string Name = "g_pool_startup_teardown";

    /// <inheritdoc />
    public string Key => "g";

    /// <inheritdoc />
    public bool InAnchor => true;

    /// <inheritdoc />
    public void Run(ScenarioContext context)
    {
        var reps = context.Sizes.StartupReps;
        context.Begin(Name, 1);
        var cycles = new List<double>();
        var firstResults = new List<double>();
        var hello = new List<double>();
        for (var i = 0; i < reps; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var pool = context.NewPool(warmUp: false);
            if (pool.ApplyAsync(Fn.Square, 3L).Get(context.CallTimeout) != 9) throw new InvalidDataException($"{Name}: wrong result");
            firstResults.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
            pool.Close();
            if (!pool.Join(context.CallTimeout)) throw new TimeoutException($"{Name}: Join after Close did not return");
            pool.Dispose();
            cycles.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
            using (var h = HelloWorld.Start(context.CallTimeout)) hello.Add(h.Seconds);
        }
        context.Record(BenchRow.Timed(Name, 1, context.Processes, Stats.Median(cycles), new JsonObject
        {
            ["reps"] = reps,
            ["min_seconds"] = Math.Round(cycles.Min(), 6),
            ["max_seconds"] = Math.Round(cycles.Max(), 6),
            ["first_result_seconds"] = Math.Round(Stats.Median(firstResults), 6),
            ["first_result_min_seconds"] = Math.Round(firstResults.Min(), 6),
            ["first_result_cold_seconds"] = Math.Round(firstResults[0], 6),
            ["hello_world_seconds"] = Math.Round(Stats.Median(hello), 6),
        }));
    }
}
