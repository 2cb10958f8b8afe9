using Akka.Configuration;

namespace PoolCluster.Manager;

/// <summary>The <c>poolcluster.manager</c> section.</summary>
/// <param name="Role">Role of the members that host the cluster's manager singleton ("" = any member).</param>
/// <param name="AutoStart">Start the singleton manager on every member with <paramref name="Role"/> automatically.</param>
/// <param name="CallTimeout">How long a proxy waits for an answer (plus any blocking timeout of the call).</param>
/// <param name="ReplicationTimeout">How long the cluster manager waits for a majority of its members to hold a change
/// (or to answer a read when it starts).</param>
internal sealed record ManagerSettings(string Role, bool AutoStart, TimeSpan CallTimeout, TimeSpan ReplicationTimeout)
{
    /// <summary>Reads <c>poolcluster.manager</c> of <paramref name="config"/> (an actor system's, say) over reference.conf.</summary>
    public static ManagerSettings Create(Config config)
    {
        var c = HoconSection.Of(config, "poolcluster.manager");
        return new ManagerSettings(
            c.String("role"),
            c.Bool("auto-start"),
            c.Duration("call-timeout", allowInfinite: false),
            c.Duration("replication-timeout", allowInfinite: false));
    }
}
