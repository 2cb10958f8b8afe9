using Akka.Configuration;

namespace PoolCluster.Cluster;

/// <summary>The <c>poolcluster.node</c> section: how a worker node shares its processes between the pools that use it.</summary>
/// <param name="IdleChildTimeout">How long an idle pool's children live on while no other pool needs their slots.</param>
/// <param name="ShareInterval">How often shares are reviewed; a pool that got the larger share for this long yields it
/// to one that got less (only when the processes do not divide evenly between the pools with work).</param>
internal sealed record NodeSettings(TimeSpan IdleChildTimeout, TimeSpan ShareInterval)
{
    public static NodeSettings Create(Config config)
    {
        var c = HoconSection.Of(config, "poolcluster.node");
        var idle = c.Duration("idle-child-timeout");
        var interval = c.Duration("share-interval");
        if (idle <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(config), idle, "poolcluster.node.idle-child-timeout must be positive, such as 30s");
        if (interval <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(config), interval, "poolcluster.node.share-interval must be positive, such as 1s");
        return new NodeSettings(idle, interval);
    }
}
