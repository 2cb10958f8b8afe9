using System.Diagnostics;
using PoolCluster.Tests.Cluster;
using PoolCluster.Tests.Support;

namespace PoolCluster.Tests.Integration;

/// <summary>
/// Issue 14, "failures that say so": a client disposed after a node was lost returns promptly, and Akka's remoting
/// warnings that mean nothing to a user (gating, disassociation) are not printed at a normal shutdown or a node loss,
/// while the membership lines that do mean something still are. Real Pool.Seed and Pool.Node processes.
/// </summary>
public sealed class QuietFailureTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly ClusterProcesses _cluster = new();

    public void Dispose() => _cluster.Dispose();

    [Fact]
    public void Disposing_a_client_right_after_a_node_was_killed_returns_within_2_s()
    {
        var node = _cluster.StartNode(1);
        var pool = _cluster.Connect();
        InProcessCluster.WaitFor(() => pool.Processes == 1, Patience, "the node's worker");
        Assert.Equal(new[] { 1, 4, 9 }, pool.Map(TestFunctions.Square, new[] { 1, 2, 3 }));

        node.KillHard();
        var watch = Stopwatch.StartNew();
        pool.Dispose();
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"Dispose took {watch.Elapsed.TotalSeconds:0.0} s after a node was lost");
    }

    [Fact]
    public void Disposing_a_client_once_the_lost_node_is_unreachable_returns_within_2_s()
    {
        var node = _cluster.StartNode(1);
        var pool = _cluster.Connect();
        InProcessCluster.WaitFor(() => pool.Processes == 1, Patience, "the node's worker");

        node.KillHard();
        ClusterProcesses.WaitForLine(_cluster.Seed, l => l.Contains("unreachable", StringComparison.Ordinal), Patience);
        var watch = Stopwatch.StartNew();
        pool.Dispose();
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"Dispose took {watch.Elapsed.TotalSeconds:0.0} s after a node was lost");
    }

    [Fact]
    public void A_node_killed_9_and_a_node_leaving_normally_print_membership_lines_but_no_remoting_warnings()
    {
        var killed = _cluster.StartNode(1);
        var leaving = _cluster.StartNode(1);
        killed.KillHard();
        ClusterProcesses.WaitForLine(_cluster.Seed, l => l.Contains($"removed", StringComparison.Ordinal), Patience);

        leaving.Terminate();
        Assert.True(leaving.Process.WaitForExit(60_000), "the node did not leave:\n" + leaving.Output);
        leaving.Process.WaitForExit();
        Assert.Equal(0, leaving.Process.ExitCode);
        ClusterProcesses.WaitForLine(_cluster.Seed, l => l.Contains("removed (was Exiting)", StringComparison.Ordinal), Patience);

        // The lost node is reported as what it is, once: unreachable, then removed.
        Assert.Contains(_cluster.Seed.Lines, l => l.Contains("unreachable", StringComparison.Ordinal));
        foreach (var member in new[] { _cluster.Seed, leaving })
            Assert.False(member.Lines.Any(IsRemotingNoise), $"{member.Name} printed remoting warnings:\n{member.Output}");
    }

    private static bool IsRemotingNoise(string line) =>
        line.Contains("gated", StringComparison.OrdinalIgnoreCase) || line.Contains("Disassociated", StringComparison.OrdinalIgnoreCase) ||
        line.Contains("Tried to associate", StringComparison.Ordinal) || line.Contains("Association with remote system", StringComparison.Ordinal);
}
