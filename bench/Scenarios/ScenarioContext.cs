using System.Diagnostics;

namespace PoolCluster.Bench.Scenarios;

/// <summary>
/// What a scenario measures with: the sizes, the pool factory (pools are disposed by the runner, with a time limit,
/// even when the scenario times out), and the row recorder.
/// </summary>
public sealed class ScenarioContext
{
    private readonly List<WorkerPool> _pools = [];
    private readonly List<BenchRow> _rows = [];
    private readonly Action<BenchRow> _onRow;
    private (string Scenario, long N)? _pending;

    /// <summary>Creates a context for one scenario group.</summary>
    public ScenarioContext(Sizes sizes, int processes, TimeSpan callTimeout, Action<BenchRow> onRow)
    {
        Sizes = sizes;
        Processes = processes;
        CallTimeout = callTimeout;
        _onRow = onRow;
    }

    /// <summary>The run's problem sizes.</summary>
    public Sizes Sizes { get; }

    /// <summary>Worker processes per pool (2, as in the targets).</summary>
    public int Processes { get; }

    /// <summary>The timeout of every blocking pool call: a broken pool yields a timeout row, never a hang.</summary>
    public TimeSpan CallTimeout { get; }

    /// <summary>Rows recorded so far.</summary>
    public IReadOnlyList<BenchRow> Rows
    {
        get { lock (_rows) return [.. _rows]; }
    }

    /// <summary>The row being measured, if any: the runner records it as timed out when the group overruns.</summary>
    public (string Scenario, long N)? Pending
    {
        get { lock (_rows) return _pending; }
    }

    /// <summary>Announces the row about to be measured.</summary>
    public void Begin(string scenario, long n)
    {
        lock (_rows) _pending = (scenario, n);
    }

    /// <summary>Records a finished row.</summary>
    public void Record(BenchRow row)
    {
        lock (_rows)
        {
            _rows.Add(row);
            _pending = null;
        }
        _onRow(row);
    }

    /// <summary>A new pool of <see cref="Processes"/> children (or <paramref name="processes"/>), warmed up as the
    /// anchor's <c>make_pool</c> does (a chunk-size-1 map of <c>processes × 4</c> items, so every child is alive)
    /// unless <paramref name="warmUp"/> is false.</summary>
    public WorkerPool NewPool(int? maxTasksPerChild = null, bool warmUp = true, int? processes = null)
    {
        var pool = new WorkerPool(new PoolOptions { Processes = processes ?? Processes, MaxTasksPerChild = maxTasksPerChild });
        lock (_pools) _pools.Add(pool);
        if (warmUp) pool.MapAsync(Fn.Square, Range((processes ?? Processes) * 4), 1).Get(CallTimeout);
        return pool;
    }

    /// <summary>Python's <c>close(); join()</c> after a measurement, then <c>Dispose</c>; a Join that does not return
    /// within <see cref="CallTimeout"/> is noted on <paramref name="row"/> (<c>close_join_timed_out</c>).</summary>
    public void Retire(WorkerPool pool, BenchRow row)
    {
        pool.Close();
        if (!pool.Join(CallTimeout)) row.Extra["close_join_timed_out"] = true;
        pool.Dispose();
    }

    /// <summary>Disposes every pool this context created, each within <paramref name="limit"/>.</summary>
    /// <returns>A description of each pool whose disposal did not finish in time.</returns>
    public IReadOnlyList<string> DisposePools(TimeSpan limit)
    {
        WorkerPool[] pools;
        lock (_pools) pools = [.. _pools];
        var hung = new List<string>();
        foreach (var pool in pools)
        {
            try
            {
                if (!Task.Run(pool.Dispose).Wait(limit))
                    hung.Add($"WorkerPool.Dispose did not return within {limit.TotalSeconds:0} s");
            }
            catch (AggregateException e)
            {
                hung.Add($"WorkerPool.Dispose threw {e.InnerException?.GetType().Name}: {e.InnerException?.Message}");
            }
        }
        return hung;
    }

    /// <summary>Runs <paramref name="body"/> and returns its wall time in seconds, as the anchor's <c>timed</c> does.</summary>
    public static (double Seconds, T Result) Time<T>(Func<T> body)
    {
        var start = Stopwatch.GetTimestamp();
        var result = body();
        return (Stopwatch.GetElapsedTime(start).TotalSeconds, result);
    }

    /// <summary>The anchor's <c>range(n)</c>, as longs (squares of 1,000,000 overflow an int).</summary>
    public static IEnumerable<long> Range(int n)
    {
        for (long i = 0; i < n; i++) yield return i;
    }
}
