using PoolCluster.Tests.Cluster;
using PoolCluster.Tests.Support;

namespace PoolCluster.Tests.Integration;

/// <summary>Issue 10: placement by role. Nodes get extra roles from --role or POOL_ROLES; a pool with WorkerRole uses
/// only nodes with that role.</summary>
public sealed class NodeRoleTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private readonly ClusterProcesses _cluster = new();

    public void Dispose() => _cluster.Dispose();

    [Fact]
    public void A_pool_with_a_worker_role_runs_only_on_nodes_with_that_role()
    {
        var plain = _cluster.StartNode(2);
        var gpu = _cluster.StartNode(1, ["--role", "gpu"]);
        var gpuByEnvironment = _cluster.StartNode(1, [], new Dictionary<string, string> { ["POOL_ROLES"] = "fast, gpu" });
        using var gpuPool = _cluster.Connect(new PoolOptions { WorkerRole = "gpu" });
        InProcessCluster.WaitFor(() => gpuPool.Processes == 2, Patience, "the two gpu nodes' processes");
        using var anyPool = _cluster.Connect();

        var results = gpuPool.Map(NodeFunctions.SleepAndReportNode, Enumerable.Range(0, 40), chunkSize: 1);

        Assert.Equal(Enumerable.Range(0, 40).Select(i => i * 1000), results.Select(r => r.Value));
        Assert.Equal(new[] { gpu.Pid, gpuByEnvironment.Pid }.Order(), results.Select(r => r.NodePid).Distinct().Order());
        // Every node still has the worker role: a pool without WorkerRole uses the plain node too.
        var anywhere = anyPool.Map(NodeFunctions.SleepAndReportNode, Enumerable.Range(0, 40), chunkSize: 1);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => i * 1000), anywhere.Select(r => r.Value));
        Assert.Contains(anywhere, r => r.NodePid == plain.Pid);
    }

    [Fact]
    public void A_blank_worker_role_fails_at_the_call_and_a_bad_role_name_stops_the_node_with_a_clear_error()
    {
        var e = Assert.Throws<ArgumentException>(() => _cluster.Connect(new PoolOptions { WorkerRole = " " }));
        Assert.Contains("WorkerRole", e.Message);

        var node = _cluster.StartNodeExpectingExit("--role", "big gpu");
        Assert.Equal(2, node.Process.ExitCode);
        Assert.Contains(node.Lines, l => l.Contains("--role: 'big gpu' is not a role name", StringComparison.Ordinal));
    }
}
