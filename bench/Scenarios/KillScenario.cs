using System.Diagnostics;
using System.Text.Json.Nodes;

namespace PoolCluster.Bench.Scenarios;

/// <summary>
/// kill: a child exits (<see cref="Work.Die"/>) while running an <c>ApplyAsync</c> task. <c>seconds</c> is how long
/// the caller waits to learn it (Python's Pool: the whole Get timeout, then <c>TimeoutError</c>); the extras say
/// what the caller got and whether the pool is still usable and closes cleanly, field for field as in the anchor.
/// </summary>
public sealed class KillScenario : IScenario
{
    private const string Name = "kill_pool_apply_async";

    /// <inheritdoc />
    public string Key => "kill";

    /// <inheritdoc />
    public bool InAnchor => true;

    /// <inheritdoc />
    public void Run(ScenarioContext context)
    {
        var timeout = context.Sizes.KillTimeout;
        context.Begin(Name, 1);
        var pool = context.NewPool();
        var lost = pool.ApplyAsync(Fn.Die, 0);
        var start = Stopwatch.GetTimestamp();
        string outcome;
        try
        {
            lost.Get(timeout);
            outcome = "returned";
        }
        catch (Exception e)
        {
            outcome = Describe(e);
        }
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        bool usable;
        try
        {
            usable = pool.ApplyAsync(Fn.Square, 3L).Get(TimeSpan.FromSeconds(5)) == 9;
        }
        catch (Exception)
        {
            usable = false;
        }
        pool.Close();
        var joinHangs = !pool.Join(TimeSpan.FromSeconds(2));
        var terminateStart = Stopwatch.GetTimestamp();
        pool.Terminate();
        var terminateSeconds = Stopwatch.GetElapsedTime(terminateStart).TotalSeconds;
        var joined = pool.Join(TimeSpan.FromSeconds(5));
        pool.Dispose();
        context.Record(BenchRow.Timed(Name, 1, context.Processes, seconds, new JsonObject
        {
            ["get_timeout"] = timeout.TotalSeconds,
            ["outcome"] = outcome,
            ["lost_result_ready"] = lost.Ready,
            ["pool_usable_after"] = usable,
            ["close_join_hangs_2s"] = joinHangs,
            ["terminate_seconds"] = Math.Round(terminateSeconds, 6),
            ["join_returned_after_terminate"] = joined,
        }));
    }

    /// <summary>Type and first line of the message, as the anchor's <c>describe</c> prints them.</summary>
    private static string Describe(Exception e)
    {
        var message = e.Message.Split('\n')[0].Trim();
        if (message.Length > 160) message = message[..160] + "…";
        return message.Length > 0 ? $"{e.GetType().FullName}: {message}" : e.GetType().FullName!;
    }
}
