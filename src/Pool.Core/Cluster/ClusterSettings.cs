using Akka.Configuration;

namespace PoolCluster.Cluster;

/// <summary>The <c>poolcluster.cluster</c> section: how routers find worker nodes and how nodes cache shipped code.</summary>
internal sealed record ClusterSettings(string WorkerRole, string NodeHostName, TimeSpan? NoWorkersTimeout, TimeSpan AttachRetryInterval, string AssemblyCache)
{
    /// <summary>Reads <c>poolcluster.cluster</c> of <paramref name="config"/> over reference.conf (empty
    /// <c>assembly-cache</c>: <c>&lt;temp&gt;/poolcluster-assemblies</c>).</summary>
    public static ClusterSettings Create(Config config)
    {
        var c = HoconSection.Of(config, "poolcluster.cluster");
        var cache = c.String("assembly-cache");
        return new ClusterSettings(
            c.String("worker-role"),
            c.String("node-host-name"),
            c.OptionalDuration("no-workers-timeout"),
            c.Duration("attach-retry-interval"),
            string.IsNullOrWhiteSpace(cache) ? Path.Combine(Path.GetTempPath(), "poolcluster-assemblies") : cache);
    }

    /// <summary>Applies a pool's own choice of worker nodes (<see cref="PoolOptions.WorkerRole"/>).</summary>
    /// <exception cref="ArgumentException">The role is blank.</exception>
    public ClusterSettings ForPool(PoolOptions options) =>
        CheckedWorkerRole(options) is { } role ? this with { WorkerRole = role } : this;

    /// <summary>The pool's <see cref="PoolOptions.WorkerRole"/>, checked; null when unset.</summary>
    /// <exception cref="ArgumentException">The role is blank.</exception>
    public static string? CheckedWorkerRole(PoolOptions options)
    {
        if (options.WorkerRole is not { } role) return null;
        if (string.IsNullOrWhiteSpace(role))
            throw new ArgumentException("PoolOptions.WorkerRole must name a cluster role such as \"gpu\" (nodes get it with " +
                                        "Pool.Node --role gpu); leave it unset to use every worker node", nameof(options));
        return role.Trim();
    }
}
