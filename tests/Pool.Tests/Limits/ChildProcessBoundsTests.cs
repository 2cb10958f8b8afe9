using System.Diagnostics;
using PoolCluster.Tests.Support;
using PoolCluster.Worker.ChildProcess;

namespace PoolCluster.Tests.Limits;

/// <summary>
/// Children are bounded: a pool cannot ask for an absurd number of them, they start a few at a time, and Dispose
/// returns only once every child the pool started is gone, whatever state the children were in.
/// </summary>
public sealed class ChildProcessBoundsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public void Dispose_while_64_children_are_starting_returns_in_bounded_time_and_leaves_no_child()
    {
        var self = Environment.ProcessId;
        var before = ProcessProbe.ChildrenOf(self).ToHashSet();
        var seen = new HashSet<int>();
        var starting = new List<int>();
        ChildStarter.ResetPeak();
        // A standby child per worker (MaxTasksPerChild): 128 children to start, in every state when Dispose comes.
        var pool = new WorkerPool(new PoolOptions { Processes = 64, MaxTasksPerChild = 5 });
        var limit = pool.Settings.MaxConcurrentChildStarts;
        var sampling = Stopwatch.StartNew();
        while (sampling.Elapsed < TimeSpan.FromSeconds(1))
        {
            seen.UnionWith(ProcessProbe.ChildrenOf(self).Where(p => !before.Contains(p)));
            starting.Add(ChildStarter.Starting);
            Thread.Sleep(20);
        }

        var disposing = Stopwatch.StartNew();
        pool.Dispose();
        disposing.Stop();

        // Checked at once, not after a grace period: Dispose itself must have waited for the children to go.
        var left = ProcessProbe.ChildrenOf(self).Where(p => !before.Contains(p)).ToList();
        Assert.True(left.Count == 0, $"{left.Count} children still alive right after Dispose: {string.Join(", ", left)}");
        Assert.Empty(seen.Where(ProcessProbe.IsAlive));
        Assert.True(disposing.Elapsed < TimeSpan.FromSeconds(15), $"Dispose took {disposing.Elapsed.TotalSeconds:0.0} s");
        // Starts that were still waiting their turn were cancelled, not merely delayed: none is pending or under way.
        Assert.Equal(0, ChildStarter.Pending);
        Assert.Equal(0, ChildStarter.Starting);
        Assert.NotEmpty(seen);
        Assert.All(starting, n => Assert.InRange(n, 0, limit));
        Assert.InRange(ChildStarter.Peak, 1, limit);
    }

    [Fact]
    public void Children_start_one_at_a_time_with_a_limit_of_1_and_the_pool_works()
    {
        ChildStarter.ResetPeak();
        using var pool = new WorkerPool(new PoolOptions { Processes = 4, MaxConcurrentChildStarts = 1 });
        var pids = pool.Map(TestFunctions.SleepThenPid, Enumerable.Repeat(300, 8), chunkSize: 1);
        Assert.Equal(4, pids.Distinct().Count());
        Assert.Equal(1, ChildStarter.Peak);
    }

    [Fact]
    public void Processes_above_the_maximum_are_refused_at_construction_naming_value_maximum_and_how_to_raise_it()
    {
        var before = ProcessProbe.ChildrenOf(Environment.ProcessId).ToHashSet();

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new WorkerPool(new PoolOptions { Processes = 100_000 }));
        Assert.Equal("Processes", e.ParamName);
        Assert.Equal(100_000, e.ActualValue);
        Assert.Contains("100000", e.Message);
        Assert.Contains($"maximum of {PoolSettings.DefaultMaxProcesses}", e.Message);
        Assert.Contains("PoolOptions.MaxProcesses", e.Message);
        Assert.Contains("poolcluster.pool.max-processes", e.Message);

        var lowered = Assert.Throws<ArgumentOutOfRangeException>(() => new WorkerPool(new PoolOptions { Processes = 3, MaxProcesses = 2 }));
        Assert.Contains("maximum of 2", lowered.Message);
        var invalid = Assert.Throws<ArgumentOutOfRangeException>(() => new WorkerPool(new PoolOptions { Processes = 1, MaxConcurrentChildStarts = 0 }));
        Assert.Equal("MaxConcurrentChildStarts", invalid.ParamName);

        Assert.Empty(ProcessProbe.ChildrenOf(Environment.ProcessId).Where(p => !before.Contains(p)));
    }

    [Fact]
    public void The_maximum_is_configurable_in_HOCON_and_from_PoolOptions()
    {
        var config = Akka.Configuration.ConfigurationFactory.ParseString("poolcluster.pool { processes = 3, max-processes = 2 }");
        var settings = PoolSettings.Create(config);
        Assert.Equal(2, settings.MaxProcesses);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => settings.Apply(new PoolOptions()));
        Assert.Equal("Processes", e.ParamName);
        Assert.Equal(3, PoolSettings.Create(config).Apply(new PoolOptions { MaxProcesses = 3 }).Processes);
    }
}
