using System.Diagnostics;
using PoolCluster.Tests.Integration;
using PoolCluster.Tests.Support;

namespace PoolCluster.Tests.Limits;

/// <summary>
/// Chaos with real processes: a job runs over two worker-node processes while their children are killed at random
/// every ~200 ms, and one node process is killed -9 mid-job. Every result must be right and arrive exactly once;
/// afterwards no child process is left and the client's memory is flat. Sized for CI (POOL_CHAOS_ITEMS raises it;
/// bench/soak.sh runs the long version).
/// </summary>
public sealed class ChaosTests
{
    private static readonly int Items = int.TryParse(Environment.GetEnvironmentVariable("POOL_CHAOS_ITEMS"), out var n) ? n : 4_000;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public void Random_child_kills_and_a_node_killed_9_lose_and_duplicate_nothing()
    {
        var baseline = ResidentMegabytes();
        var allChildren = new HashSet<int>();
        using (var cluster = new ClusterProcesses())
        {
            var doomed = cluster.StartNode(2);
            var survivor = cluster.StartNode(2);
            using var pool = cluster.Connect(new PoolOptions { ChildLossRetries = 50, MaxRetries = 10 });
            Cluster.InProcessCluster.WaitFor(() => pool.Processes == 4, Patience, "4 workers attached");

            using var stop = new CancellationTokenSource();
            var random = new Random(1234);
            var killed = 0;
            var chaos = Task.Run(() =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var children = ProcessProbe.ChildrenOf(doomed.Pid).Concat(ProcessProbe.ChildrenOf(survivor.Pid)).ToList();
                    lock (allChildren) allChildren.UnionWith(children);
                    if (children.Count > 0)
                    {
                        ProcessProbe.KillHard(children[random.Next(children.Count)]);
                        Interlocked.Increment(ref killed);
                    }
                    stop.Token.WaitHandle.WaitOne(200);
                }
            });

            var seen = new Dictionary<int, int>();
            var clock = Stopwatch.StartNew();
            var nodeKilled = false;
            try
            {
                foreach (var square in pool.ImapUnordered(TestFunctions.Square, Enumerable.Range(0, Items), chunkSize: 2))
                {
                    seen[square] = seen.GetValueOrDefault(square) + 1;
                    if (!nodeKilled && seen.Count > Items / 3)
                    {
                        nodeKilled = true;
                        doomed.KillHard();
                    }
                    Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), "chaos run took too long");
                }
            }
            finally
            {
                stop.Cancel();
                chaos.Wait(TimeSpan.FromSeconds(10));
            }

            Assert.True(nodeKilled);
            Assert.True(killed >= 3, $"only {killed} children were killed");
            Assert.Equal(Items, seen.Count);
            Assert.All(Enumerable.Range(0, Items), i => Assert.Equal(1, seen.GetValueOrDefault(i * i)));
        }
        List<int> children;
        lock (allChildren) children = [.. allChildren];
        Assert.Empty(ProcessProbe.WaitUntilGone(children, TimeSpan.FromSeconds(15)));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.True(ResidentMegabytes() - baseline < 300, $"memory grew from {baseline} MB to {ResidentMegabytes()} MB");
    }

    private static long ResidentMegabytes()
    {
        using var self = Process.GetCurrentProcess();
        return self.WorkingSet64 / (1024 * 1024);
    }
}
