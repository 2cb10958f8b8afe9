using PoolCluster.Security;
using PoolCluster.Tests.Cluster;

namespace PoolCluster.Tests.Integration;

/// <summary>
/// A member that cannot join says why in one line and gives up after the join timeout (issue 14), instead of retrying
/// forever with repeating warnings. Real Pool.Node processes.
/// </summary>
public sealed class JoinFailureTests : IDisposable
{
    private const string Password = "test-secret";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"poolcluster-join-{Guid.NewGuid():N}");
    private readonly ClusterProcesses _processes = new(startSeed: false);

    public JoinFailureTests()
    {
        ClusterCertificates.WriteCluster(_dir, Password, ["seed", "node"]);
        ClusterCertificates.WriteCluster(_dir + "-stranger", Password, ["node"]); // another authority entirely
    }

    public void Dispose()
    {
        _processes.Dispose();
        Directory.Delete(_dir, true);
        Directory.Delete(_dir + "-stranger", true);
    }

    [Fact]
    public void A_node_with_a_certificate_from_another_authority_exits_after_the_join_timeout_with_a_one_line_reason()
    {
        using var cluster = new InProcessCluster(new TlsOptions(Path.Combine(_dir, "seed.pfx"), Password, Path.Combine(_dir, ClusterCertificates.AuthorityCertificateFile)));
        // It trusts our authority (so it would accept the seed); the seed must refuse its foreign certificate.
        var node = _processes.StartProgram("Pool.Node", "--seed", cluster.SeedAddress, "--port", "0", "--processes", "1",
            "--join-timeout", "4s", "--tls-cert", Path.Combine(_dir + "-stranger", "node.pfx"), "--tls-password", Password,
            "--tls-ca", Path.Combine(_dir, ClusterCertificates.AuthorityCertificateFile));

        var line = ExitsWithOneReason(node, TimeSpan.FromSeconds(4));
        Assert.True(line.Contains("TLS", StringComparison.Ordinal) && line.Contains("certificate", StringComparison.Ordinal), line);
    }

    [Fact]
    public void A_node_whose_seed_is_down_exits_after_the_join_timeout_saying_nothing_listens_there()
    {
        var node = _processes.StartProgram("Pool.Node", "--seed", _processes.SeedAddress, "--port", "0", "--processes", "1",
            "--join-timeout", "4s");

        var line = ExitsWithOneReason(node, TimeSpan.FromSeconds(4));
        Assert.True(line.Contains("connection refused", StringComparison.Ordinal), line);
    }

    [Fact]
    public void Connect_to_a_seed_that_is_down_throws_the_same_reason()
    {
        var e = Assert.Throws<TimeoutException>(() => WorkerPool.Connect(_processes.SeedAddress, new PoolOptions
        {
            ConnectTimeout = TimeSpan.FromSeconds(3),
            Config = InProcessCluster.FastConfig,
        }));
        Assert.Contains($"Could not join the PoolCluster at {_processes.SeedAddress} within 3 s", e.Message);
        Assert.Contains("connection refused", e.Message);
    }

    [Fact]
    public void The_join_timeout_must_be_a_positive_duration()
    {
        var node = _processes.StartProgram("Pool.Node", "--seed", _processes.SeedAddress, "--join-timeout", "soon");
        Assert.True(node.Process.WaitForExit(60_000), "Pool.Node did not exit on a bad --join-timeout");
        node.Process.WaitForExit(); // the exited process's last lines reach Lines only once its output is drained
        Assert.Equal(2, node.Process.ExitCode);
        Assert.Contains(node.Lines, l => l.Contains("--join-timeout: 'soon'", StringComparison.Ordinal));
    }

    /// <summary>Waits for the member to give up: non-zero exit within the join timeout plus start-up and shutdown
    /// slack, exactly one error line naming the seed, and none of Akka's repeating join/gating warnings.</summary>
    private static string ExitsWithOneReason(StartedProcess node, TimeSpan joinTimeout)
    {
        Assert.True(node.Process.WaitForExit((int)(joinTimeout + TimeSpan.FromSeconds(25)).TotalMilliseconds),
            $"Pool.Node still running well after its join timeout:\n{node.Output}");
        node.Process.WaitForExit(); // drains the redirected output
        Assert.True(node.Process.ExitCode != 0, $"exit code 0:\n{node.Output}");
        var errors = node.Lines.Where(l => l.Contains("error:", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1, $"expected one error line:\n{node.Output}");
        var line = errors[0];
        Assert.Contains("could not join", line);
        Assert.Contains($"within {joinTimeout.TotalSeconds:0} s", line);
        Assert.False(node.Lines.Any(l => l.Contains("WARNING", StringComparison.Ordinal) || l.Contains("Couldn't join seed nodes", StringComparison.Ordinal)),
            $"Akka's join/gating warnings were printed:\n{node.Output}");
        return line;
    }
}
