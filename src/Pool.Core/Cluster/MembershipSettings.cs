using Akka.Configuration;

namespace PoolCluster.Cluster;

/// <summary>The keys at the top of <c>poolcluster</c>: how long a member (seed, node or client) tries to join, and
/// whether remoting's noise reaches its log.</summary>
/// <param name="JoinTimeout">How long a member tries to join its cluster before it gives up saying why.</param>
/// <param name="LogRemotingNoise">Print remoting's gating and disassociation warnings (<see cref="RemotingNoise"/>).</param>
internal sealed record MembershipSettings(TimeSpan JoinTimeout, bool LogRemotingNoise)
{
    /// <summary>Reads <c>poolcluster.join-timeout</c> and <c>poolcluster.log-remoting-noise</c> of <paramref name="config"/> over reference.conf.</summary>
    public static MembershipSettings Create(Config config)
    {
        var c = HoconSection.Of(config, "poolcluster");
        return new MembershipSettings(c.Duration("join-timeout"), c.Bool("log-remoting-noise"));
    }
}
