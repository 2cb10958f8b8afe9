using Akka.Configuration;

namespace PoolCluster;

/// <summary>Access to PoolCluster's embedded defaults, in the manner of Akka's own <c>DefaultConfig()</c> helpers.</summary>
public static class PoolClusterConfig
{
    private static readonly Lazy<Config> Defaults = new(() =>
    {
        using var stream = typeof(PoolClusterConfig).Assembly.GetManifestResourceStream("PoolCluster.reference.conf")
            ?? throw new InvalidOperationException("Pool.Core is missing its embedded reference.conf");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    });

    /// <summary>The embedded <c>reference.conf</c>: pool defaults and the Hyperion serializer registration.</summary>
    public static Config DefaultConfig() => Defaults.Value;
}
