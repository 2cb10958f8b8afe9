using PoolCluster.Cli;

namespace PoolCluster.Tests.Dashboard;

/// <summary>--http-host / --http-port / --http-token, their environment variables and defaults.</summary>
public sealed class MemberHttpSettingsTests
{
    private static readonly MemberProgram Seed = new("Pool.Seed", "seed", "seed", "no-such-seed.hocon", 4053, false, true, DefaultHttpPort: 4080, ServesDashboard: true);
    private static readonly MemberProgram Node = new("Pool.Node", "node", "worker", "no-such-node.hocon", 0, true, false);
    private static readonly string[] Seeds = ["akka.tcp://pool@127.0.0.1:4053"];

    private static MemberSettings Resolve(MemberProgram program, MemberArguments args, Dictionary<string, string>? env = null) =>
        MemberSettings.Resolve(program, args, name => env?.GetValueOrDefault(name));

    [Fact]
    public void The_seed_serves_the_dashboard_on_loopback_port_4080_and_a_node_serves_nothing_unless_asked()
    {
        var seed = Resolve(Seed, new MemberArguments()).Http!;
        Assert.Equal(("127.0.0.1", 4080, true, (string?)null), (seed.Host, seed.Port, seed.Dashboard, seed.Token));
        Assert.Null(Resolve(Node, new MemberArguments(Seeds: Seeds)).Http);
        var node = Resolve(Node, new MemberArguments(Seeds: Seeds, HttpPort: "9100")).Http!;
        Assert.Equal((9100, false, true), (node.Port, node.Dashboard, node.WorkerNode));
        Assert.Null(Resolve(Seed, new MemberArguments(HttpPort: "0")).Http);
    }

    [Fact]
    public void The_command_line_wins_over_the_environment()
    {
        var env = new Dictionary<string, string> { ["POOL_HTTP_PORT"] = "5000", ["POOL_HTTP_HOST"] = "0.0.0.0", ["POOL_HTTP_TOKEN"] = "from-env" };
        var fromEnv = Resolve(Seed, new MemberArguments(), env).Http!;
        Assert.Equal(("0.0.0.0", 5000, "from-env"), (fromEnv.Host, fromEnv.Port, fromEnv.Token));
        var fromArgs = Resolve(Seed, new MemberArguments(HttpHost: "127.0.0.1", HttpPort: "6000", HttpToken: "from-args"), env).Http!;
        Assert.Equal(("127.0.0.1", 6000, "from-args"), (fromArgs.Host, fromArgs.Port, fromArgs.Token));
    }

    [Fact]
    public void A_host_that_is_not_an_IP_or_a_bad_port_is_refused_naming_the_option()
    {
        var host = Assert.Throws<MemberSettingsException>(() => Resolve(Seed, new MemberArguments(HttpHost: "dashboard.example.com")));
        Assert.Contains("--http-host: 'dashboard.example.com' is not an IP address", host.Message);
        var port = Assert.Throws<MemberSettingsException>(() => Resolve(Seed, new MemberArguments(HttpPort: "http")));
        Assert.Contains("--http-port: 'http' is not a port number", port.Message);
        var envPort = Assert.Throws<MemberSettingsException>(() => Resolve(Seed, new MemberArguments(), new() { ["POOL_HTTP_PORT"] = "70000" }));
        Assert.Contains("POOL_HTTP_PORT", envPort.Message);
    }
}
