using System.Net;
using Akka.Configuration;

namespace PoolCluster;

/// <summary>Access to PoolCluster's embedded configuration, in the manner of Akka's own <c>DefaultConfig()</c> helpers.</summary>
public static class PoolClusterConfig
{
    private static readonly Lazy<Config> Defaults = new(() => Load("PoolCluster.reference.conf"));
    // Distributed Data's defaults (its serializers included) come with every member: the manager replicates through it.
    private static readonly Lazy<Config> Cluster = new(() => Load("PoolCluster.cluster.conf").WithFallback(Akka.DistributedData.DistributedData.DefaultConfig()));

    /// <summary>The embedded <c>reference.conf</c>: pool defaults and the Hyperion serializer registration.</summary>
    public static Config DefaultConfig() => Defaults.Value;

    /// <summary>
    /// <paramref name="config"/> (null: none) over the embedded <c>reference.conf</c>: the one way PoolCluster's
    /// defaults are put under a configuration. Settings classes read through it (<see cref="HoconSection"/>), so a key
    /// set in <paramref name="config"/> wins and every other key has its reference value.
    /// </summary>
    public static Config WithPoolDefaults(this Config? config) =>
        config is null || config.IsEmpty ? DefaultConfig() : config.WithFallback(DefaultConfig());

    /// <summary><paramref name="config"/> over the cluster defaults (cluster.conf) and the pool defaults: what every member starts from.</summary>
    public static Config WithMemberDefaults(this Config? config) =>
        (config ?? Config.Empty).WithFallback(ClusterDefaults()).WithPoolDefaults();

    /// <summary>Akka.Cluster settings every PoolCluster member starts from (split brain resolver, failure detector, frame sizes).</summary>
    public static Config ClusterDefaults() => Cluster.Value;

    /// <summary>
    /// The configuration of one cluster member: its address, roles and seeds over <paramref name="fallback"/>
    /// (a HOCON file, for instance), then the cluster defaults and the pool defaults.
    /// </summary>
    /// <param name="host">Host name or IP other members use to reach this member.</param>
    /// <param name="port">TCP port; 0 picks a free one.</param>
    /// <param name="seeds">Seed node addresses, such as <c>akka.tcp://pool@127.0.0.1:4053</c>.</param>
    /// <param name="roles">Cluster roles of this member (<c>seed</c>, <c>worker</c>, <c>client</c>).</param>
    /// <param name="fallback">Settings that the explicit values above override.</param>
    public static Config ForMember(string? host, int? port, IEnumerable<string>? seeds, IEnumerable<string>? roles, Config? fallback = null)
    {
        var lines = new List<string>();
        if (host is not null) lines.Add($"akka.remote.dot-netty.tcp.hostname = {Quote(host)}");
        if (port is not null) lines.Add($"akka.remote.dot-netty.tcp.port = {port.Value}");
        if (seeds is not null) lines.Add($"akka.cluster.seed-nodes = [{string.Join(", ", seeds.Select(Quote))}]");
        if (roles is not null) lines.Add($"akka.cluster.roles = [{string.Join(", ", roles.Select(Quote))}]");
        var explicitValues = ConfigurationFactory.ParseString(string.Join("\n", lines));
        return explicitValues.WithFallback(fallback ?? Config.Empty).WithMemberDefaults();
    }

    /// <summary>The actor system of a standalone pool or manager: this process only, quiet, with PoolCluster's defaults.</summary>
    internal static Config Standalone(string logLevel) => ConfigurationFactory.ParseString($"""
        akka.loglevel = {logLevel}
        akka.stdout-loglevel = WARNING
        akka.log-dead-letters = off
        akka.log-dead-letters-during-shutdown = off
        akka.actor.provider = local
        """).WithPoolDefaults();

    /// <summary>The host a client should bind to so that members reached through <paramref name="seed"/> can reach it back.</summary>
    internal static string ClientHostFor(string seed)
    {
        var host = Akka.Actor.Address.Parse(seed).Host ?? "127.0.0.1";
        if (host is "localhost" || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip))) return "127.0.0.1";
        return Dns.GetHostName();
    }

    /// <summary><paramref name="s"/> as a quoted HOCON string (backslashes and quotes escaped), for values built in code.</summary>
    internal static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    private static Config Load(string resource)
    {
        using var stream = typeof(PoolClusterConfig).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Pool.Core is missing its embedded {resource}");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
