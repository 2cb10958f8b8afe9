using Akka.Configuration;
using PoolCluster.Cli;
using PoolCluster.Cluster;
using PoolCluster.Manager;
using PoolCluster.Worker;

namespace PoolCluster.Tests.Configuration;

/// <summary>
/// Every default of every settings class, as reference.conf gives it (the way Akka.NET's ClusterSingletonConfigSpec
/// pins its settings): changing a default in reference.conf fails here, so the change is a decision, not an accident.
/// The values are written out literally on purpose.
/// </summary>
public sealed class PoolClusterSettingsSpec
{
    [Fact]
    public void Pool_settings_default_to_reference_conf()
    {
        var s = PoolSettings.Default;
        Assert.Equal(Environment.ProcessorCount, s.Processes);                    // processes = 0
        Assert.Equal(Math.Max(64, 16 * Environment.ProcessorCount), s.MaxProcesses); // max-processes = 0
        Assert.Equal(2 * Environment.ProcessorCount, s.MaxConcurrentChildStarts); // max-concurrent-child-starts = 0
        Assert.Equal(0, s.MaxTasksPerChild);
        Assert.Equal(2, s.ChunksInFlightPerWorker);
        Assert.Equal(16, s.MaxChunksInFlightPerWorker);
        Assert.Equal(32, s.ImapLookaheadPerProcess);
        Assert.Equal(TimeSpan.FromSeconds(60), s.ChildStartTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), s.ChildShutdownTimeout);
        Assert.Equal(512 * 1024 * 1024, s.MaxFrameSize);
        Assert.Equal(3, s.MaxRetries);
        Assert.Equal(0, s.ChildLossRetries);
        Assert.Null(s.TaskTimeout);
        Assert.Null(s.SoftTaskTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), s.CancelGracePeriod);
        Assert.Equal(1, s.MaxConcurrentTasksPerChild);
        Assert.Null(s.MaxMemoryPerChild);
        Assert.Equal(64 * 1024 * 1024, s.MaxPayloadSize);
        Assert.Equal(100_000, s.MaxValueDepth);
        Assert.Equal(s, PoolSettings.Create(Config.Empty));
    }

    [Fact]
    public void Worker_settings_carry_the_pool_defaults_and_nothing_of_their_own()
    {
        var w = WorkerSettings.From(PoolSettings.Default, [7]);
        Assert.Equal(2, w.ChunksInFlight);
        Assert.Equal(16, w.MaxChunksInFlight);
        Assert.Equal(0, w.MaxTasksPerChild);
        Assert.Equal(512 * 1024 * 1024, w.MaxFrameSize);
        Assert.Equal(TimeSpan.FromSeconds(60), w.ChildStartTimeout);
        Assert.Null(w.TaskTimeout);
        Assert.Null(w.SoftTaskTimeout);
        Assert.Null(w.MaxMemoryPerChild);
        Assert.Equal(64 * 1024 * 1024, w.MaxPayloadSize);
        Assert.Equal(100_000, w.MaxValueDepth);
        Assert.Equal(TimeSpan.FromSeconds(5), w.CancelGracePeriod);
        Assert.Equal(1, w.MaxConcurrentTasksPerChild);
        Assert.Equal([7], w.InitializerBody);
        Assert.Empty(w.ShippedAssemblyPaths);
        // A child starts with this limit before its Init frame says the pool's; it must be the reference default.
        Assert.Equal(100_000, PoolCluster.WireFormat.Values.ValueDepthGuard.DefaultMaxDepth);
    }

    [Fact]
    public void Cluster_settings_default_to_reference_conf()
    {
        var s = ClusterSettings.Create(Config.Empty);
        Assert.Equal("worker", s.WorkerRole);
        Assert.Equal("poolcluster-node", s.NodeHostName);
        Assert.Null(s.NoWorkersTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), s.AttachRetryInterval);
        Assert.Equal(Path.Combine(Path.GetTempPath(), "poolcluster-assemblies"), s.AssemblyCache); // assembly-cache = ""
    }

    [Fact]
    public void Node_settings_default_to_reference_conf()
    {
        var s = NodeSettings.Create(Config.Empty);
        Assert.Equal(TimeSpan.FromSeconds(30), s.IdleChildTimeout);
        Assert.Equal(TimeSpan.FromSeconds(1), s.ShareInterval);
    }

    [Fact]
    public void Manager_settings_default_to_reference_conf()
    {
        var s = ManagerSettings.Create(Config.Empty);
        Assert.Equal("seed", s.Role);
        Assert.True(s.AutoStart);
        Assert.Equal(TimeSpan.FromSeconds(30), s.CallTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), s.ReplicationTimeout);
    }

    [Fact]
    public void Membership_http_and_tls_settings_default_to_reference_conf()
    {
        var m = MembershipSettings.Create(Config.Empty);
        Assert.Equal(TimeSpan.FromSeconds(60), m.JoinTimeout);
        Assert.False(m.LogRemotingNoise);

        var http = HoconSection.Of(Config.Empty, "poolcluster.http");
        Assert.Equal("127.0.0.1", http.String("host"));
        Assert.Equal(0, http.Int("port"));
        Assert.Equal("", http.String("token"));
        var tls = HoconSection.Of(Config.Empty, "poolcluster.tls");
        Assert.Equal(("", "", ""), (tls.String("certificate"), tls.String("password"), tls.String("authority")));

        // A member started with nothing set: Pool.Node's layers add only their program's port to these.
        var node = MemberSettings.Resolve(
            new MemberProgram("Pool.Node", "node", "worker", "no-such-node.hocon", 0, true, false),
            new MemberArguments(Seeds: ["akka.tcp://pool@127.0.0.1:4053"]), _ => null);
        Assert.Equal(TimeSpan.FromSeconds(60), node.JoinTimeout);
        Assert.Equal("127.0.0.1", node.Host);
        Assert.Null(node.Http);
        Assert.Null(node.Tls);
        Assert.Equal(Environment.ProcessorCount, node.Processes);
        var seed = MemberSettings.Resolve(
            new MemberProgram("Pool.Seed", "seed", "seed", "no-such-seed.hocon", 4053, false, true, DefaultHttpPort: 4080, ServesDashboard: true),
            new MemberArguments(), _ => null).Http!;
        Assert.Equal(("127.0.0.1", (string?)null), (seed.Host, seed.Token));
    }

    [Fact]
    public void Application_hocon_wins_over_reference_conf_and_options_win_over_both()
    {
        var hocon = ConfigurationFactory.ParseString("poolcluster.pool.imap-lookahead-per-process = 8");
        Assert.Equal(8, PoolSettings.Create(hocon).ImapLookaheadPerProcess);
        Assert.Equal(5, PoolSettings.Create(hocon).Apply(new PoolOptions { ImapLookaheadPerProcess = 5 }).ImapLookaheadPerProcess);
        Assert.Equal(3, PoolSettings.Create(hocon).MaxRetries); // what the application left alone keeps its reference value
    }

    [Fact]
    public void A_key_missing_everywhere_is_an_error_naming_it_not_a_silent_default()
    {
        var e = Assert.Throws<ConfigurationException>(() => HoconSection.Of(Config.Empty, "poolcluster.pool").Int("no-such-key"));
        Assert.Contains("poolcluster.pool.no-such-key is not set", e.Message);
        Assert.Contains("give poolcluster.pool.no-such-key a value in HOCON", e.Message);
        var removed = Assert.Throws<ConfigurationException>(() =>
            PoolSettings.Create(ConfigurationFactory.ParseString("poolcluster.pool.max-retries = null")));
        Assert.Contains("poolcluster.pool.max-retries is not set", removed.Message);
    }

    [Fact]
    public void Reference_conf_has_one_poolcluster_block()
    {
        using var stream = typeof(PoolClusterConfig).Assembly.GetManifestResourceStream("PoolCluster.reference.conf")!;
        var lines = new StreamReader(stream).ReadToEnd().Split('\n');
        Assert.Single(lines, l => l.StartsWith("poolcluster", StringComparison.Ordinal));
    }
}
