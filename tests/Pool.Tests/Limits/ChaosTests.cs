using System.Diagnostics;
using PoolCluster.Tests.Cluster;
using PoolCluster.Tests.Support;

namespace PoolCluster.Tests.Limits;

/// <summary>
/// Chaos: a job runs over two worker nodes while children are killed at random every ~200 ms and one node is lost
/// abruptly. Every result must be right and arrive exactly once; afterwards no child is left and memory is flat.
/// Sized for CI (POOL_CHAOS_ITEMS raises it; bench/soak.sh runs the long version).
/// </summary>
public sealed class ChaosTests
{
    private static readonly int Items = int.TryParse(Environment.GetEnvironmentVariable("POOL_CHAOS_ITEMS"), out var n) ? n : 3_000;

    [Fact]
    public void Random_child_kills_and_a_lost_node_lose_and_duplicate_nothing()
    {
        var baseline = ResidentMegabytes();
        using (var cluster = new InProcessCluster())
        {
            var doomed = cluster.StartNode(2);
            cluster.StartNode(2);
            using var pool = cluster.Connect(new PoolOptions { ChildLossRetries = 50, MaxRetries = 10 });
            InProcessCluster.WaitFor(() => pool.Processes == 4, TimeSpan.FromSeconds(60), "4 workers attached");

            using var stop = new CancellationTokenSource();
            var random = new Random(1234);
            var killed = 0;
            var chaos = Task.Run(() =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var children = ProcessProbe.ChildrenOf(Environment.ProcessId);
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
            foreach (var square in pool.ImapUnordered(TestFunctions.Square, Enumerable.Range(0, Items), chunkSize: 2))
            {
                seen[square] = seen.GetValueOrDefault(square) + 1;
                if (!nodeKilled && seen.Count > Items / 3)
                {
                    nodeKilled = true;
                    doomed.Terminate().Wait(TimeSpan.FromSeconds(30)); // abrupt: no leaving
                }
                Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), "chaos run took too long");
            }
            stop.Cancel();
            chaos.Wait(TimeSpan.FromSeconds(10));

            Assert.True(nodeKilled);
            Assert.True(killed >= 3, $"only {killed} children were killed");
            Assert.Equal(Items, seen.Count);
            Assert.All(Enumerable.Range(0, Items), i => Assert.Equal(1, seen.GetValueOrDefault(i * i)));
        }
        Assert.Empty(ProcessProbe.WaitUntilGone(ProcessProbe.ChildrenOf(Environment.ProcessId), TimeSpan.FromSeconds(10)));
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
