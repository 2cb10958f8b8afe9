using System.Diagnostics;
using Xunit.Abstractions;
using PoolCluster.Tests.Cluster;
using PoolCluster.Tests.Pool;
using PoolCluster.Tests.Support;

namespace PoolCluster.Tests.Integration;

/// <summary>Issue 10: a node's processes are one budget, shared fairly by every client that uses it.</summary>
public sealed class NodeShareTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private readonly ClusterProcesses _cluster = new();

    public void Dispose() => _cluster.Dispose();

    [Fact]
    public void Three_clients_mapping_at_once_share_a_node_of_2_processes_and_never_run_more_children()
    {
        var node = _cluster.StartNode(2);
        var pools = Enumerable.Range(0, 3).Select(_ => _cluster.Connect()).ToList();
        try
        {
            InProcessCluster.WaitFor(() => pools[0].Processes == 2, Patience, "the node's processes for the first client");
            using var sampler = new ChildSampler(node.Pid);

            var jobs = pools.Select((p, i) => p.MapAsync(SchedulingFunctions.SleepAndStampItem, Enumerable.Range(i * 1000, 30), chunkSize: 1)).ToList();
            var results = jobs.Select(j => j.Get(Patience)).ToList();

            for (var i = 0; i < 3; i++)
                Assert.Equal(Enumerable.Range(i * 1000, 30), results[i].Select(r => r.Item));
            Assert.True(sampler.Samples > 20, $"only {sampler.Samples} samples of the node's children");
            output.WriteLine($"largest number of the node's children alive: {sampler.Max} over {sampler.Samples} samples");
            Assert.InRange(sampler.Max, 1, 2);
            // Every client got work while each of the others was still running: their spans of finished chunks overlap.
            var spans = results.Select(r => (First: r.Min(x => x.FinishedTicks), Last: r.Max(x => x.FinishedTicks))).ToList();
            for (var i = 0; i < 3; i++)
            for (var j = 0; j < 3; j++)
                if (i != j) Assert.True(spans[i].First < spans[j].Last, $"client {i} got its first result only after client {j} had finished");
        }
        finally
        {
            foreach (var p in pools) p.Dispose();
        }
    }

    [Fact]
    public void A_pool_that_goes_idle_gives_its_processes_to_the_busy_one_within_a_second()
    {
        _cluster.StartNode(2);
        using var first = _cluster.Connect();
        InProcessCluster.WaitFor(() => first.Processes == 2, Patience, "the node's processes for the first client");
        using var second = _cluster.Connect();

        var shortJob = first.MapAsync(TestFunctions.SleepThenPid, Enumerable.Repeat(200, 10), chunkSize: 1);
        var longJob = second.MapAsync(TestFunctions.SleepThenPid, Enumerable.Repeat(200, 60), chunkSize: 1);
        InProcessCluster.WaitFor(() => second.Processes == 1 && first.Processes == 1, Patience, "one process each while both have work");

        shortJob.Get(Patience);
        var idle = Stopwatch.StartNew();
        InProcessCluster.WaitFor(() => second.Processes == 2, TimeSpan.FromSeconds(10), "both processes for the busy client");
        output.WriteLine($"the busy client had both processes {idle.Elapsed.TotalMilliseconds:0} ms after the other went idle");
        Assert.True(idle.Elapsed < TimeSpan.FromSeconds(1), $"the busy client got the idle one's process after {idle.Elapsed.TotalMilliseconds:0} ms");
        Assert.Equal(0, first.Processes);
        Assert.Equal(60, longJob.Get(Patience).Count);
    }

    [Fact]
    public void An_idle_pools_children_stop_after_the_idle_child_timeout_and_start_again_for_new_work()
    {
        var config = Path.Combine(Path.GetTempPath(), $"poolcluster-idle-{Guid.NewGuid():N}.hocon");
        File.WriteAllText(config, "poolcluster.node.idle-child-timeout = 2s\n");
        try
        {
            var node = _cluster.StartNode(2, ["--config", config]);
            using var pool = _cluster.Connect();
            InProcessCluster.WaitFor(() => pool.Processes == 2, Patience, "the node's processes");
            Assert.Equal(Enumerable.Range(0, 10).Select(x => x * x), pool.Map(TestFunctions.Square, Enumerable.Range(0, 10), chunkSize: 1));
            var children = ProcessProbe.ChildrenOf(node.Pid);
            Assert.Equal(2, children.Count);

            var idle = Stopwatch.StartNew();
            Assert.Empty(ProcessProbe.WaitUntilGone(children, TimeSpan.FromSeconds(30)));
            output.WriteLine($"the idle pool's children were gone {idle.Elapsed.TotalSeconds:0.0} s after its last result (timeout 2 s)");
            Assert.True(idle.Elapsed > TimeSpan.FromSeconds(1), $"the children stopped {idle.Elapsed.TotalMilliseconds:0} ms after the job, before the idle timeout");
            // The children exit first; the pool hears of its workers' end a moment later (bounded).
            InProcessCluster.WaitFor(() => pool.Processes == 0, TimeSpan.FromSeconds(10), "the idle pool reporting no processes");

            Assert.Equal(Enumerable.Range(0, 10).Select(x => x * x), pool.MapAsync(TestFunctions.Square, Enumerable.Range(0, 10), chunkSize: 1).Get(Patience));
            Assert.Equal(2, pool.Processes);
        }
        finally
        {
            File.Delete(config);
        }
    }

    /// <summary>Counts a node's child processes every 25 ms on its own thread, keeping the largest count.</summary>
    private sealed class ChildSampler : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Thread _thread;
        private int _max;
        private int _samples;

        public ChildSampler(int nodePid)
        {
            _thread = new Thread(() =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    var n = ProcessProbe.ChildrenOf(nodePid).Count;
                    if (n > _max) _max = n;
                    Interlocked.Increment(ref _samples);
                    _stop.Token.WaitHandle.WaitOne(25);
                }
            }) { IsBackground = true };
            _thread.Start();
        }

        public int Max => Volatile.Read(ref _max);

        public int Samples => Volatile.Read(ref _samples);

        public void Dispose()
        {
            _stop.Cancel();
            _thread.Join(TimeSpan.FromSeconds(5));
        }
    }
}
