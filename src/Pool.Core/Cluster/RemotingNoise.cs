using System.Text.RegularExpressions;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Event;

namespace PoolCluster.Cluster;

/// <summary>
/// Akka's log lines that mean nothing to a PoolCluster user: remoting's gating and disassociation warnings when a
/// member leaves or dies (the membership lines already say so, once), the join retries (a member that cannot join
/// says why in one line, <see cref="JoinWatch"/>), and the leave phases timing out while a lost member is still being
/// removed. Filtered out of every member's log unless <c>poolcluster.log-remoting-noise = on</c>; every other
/// warning and error is printed as before.
/// </summary>
internal static class RemotingNoise
{
    private static readonly Regex Noise = new(
        @"Tried to associate with unreachable remote address" +
        @"|address is now gated" +
        @"|Address is now gated" +
        @"|Couldn't join seed nodes after" +
        @"|Disassociated" +
        @"|Coordinated shutdown phase \[cluster-(leave|exiting)\] timed out",
        RegexOptions.Compiled | RegexOptions.CultureInvariant);

    /// <summary>The filter to add to an actor system's setup, or null when <paramref name="config"/> asks for the noise.</summary>
    public static Setup? For(Config config) =>
        MembershipSettings.Create(config).LogRemotingNoise ? null : new LogFilterBuilder().ExcludeMessageRegex(Noise).Build();
}
