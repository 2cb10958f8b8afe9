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
    public static ManagerSettings Create(Config config)
    {
        var section = config.GetConfig("poolcluster.manager") ?? Config.Empty;
        return new ManagerSettings(
            section.GetString("role", "seed") ?? "",
            section.GetBoolean("auto-start", true),
            section.GetTimeSpan("call-timeout", TimeSpan.FromSeconds(30), allowInfinite: false),
            section.GetTimeSpan("replication-timeout", TimeSpan.FromSeconds(5), allowInfinite: false));
    }

    /// <summary>The settings in effect with the embedded defaults under <paramref name="config"/>.</summary>
    public static ManagerSettings From(Config? config) =>
        Create((config ?? Config.Empty).WithFallback(PoolClusterConfig.DefaultConfig()));
}
