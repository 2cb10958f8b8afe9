using Akka.Actor;
using Akka.Configuration;

namespace PoolCluster.Cluster;

/// <summary>
/// Joins a running PoolCluster as a client member (role <c>client</c>): what <see cref="WorkerPool.Connect"/> and
/// <see cref="PoolManager.Connect"/> share. Returns once this member is Up, or fails with a clear error.
/// </summary>
internal static class ClusterClient
{
    // A client's graceful leave is a courtesy (it hosts nothing): bounded so that Dispose returns within ~2 s even while a
    // lost member blocks the cluster's convergence. The seed removes a client that left early through its failure
    // detector and downing, as it removes a lost node.
    private static readonly Config ClientLeave = ConfigurationFactory.ParseString("""
        akka.coordinated-shutdown.phases.cluster-leave.timeout = 800ms
        akka.coordinated-shutdown.phases.cluster-exiting.timeout = 400ms
        """);

    public static ActorSystem Join(string seedAddress, PoolOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(seedAddress);
        if (options.Tls is not null) seedAddress = Security.ClusterTls.SecureAddress(seedAddress);
        else if (seedAddress.StartsWith("akka.ssl.tcp://", StringComparison.Ordinal))
            throw new ArgumentException($"'{seedAddress}' is a TLS cluster: pass PoolOptions.Tls with this client's certificate and the cluster authority", nameof(seedAddress));
        Address seed;
        try { seed = Address.Parse(seedAddress); }
        catch (Exception e) { throw new ArgumentException($"'{seedAddress}' is not an Akka address such as akka.tcp://pool@host:4053", nameof(seedAddress), e); }

        var config = PoolClusterConfig.ForMember(options.Hostname ?? PoolClusterConfig.ClientHostFor(seedAddress), options.Port ?? 0,
            [seedAddress], ["client"], (options.Config ?? Config.Empty).WithFallback(ClientLeave));
        var system = Security.ClusterTls.CreateSystem(seed.System, config, options.Tls);
        var timeout = options.ConnectTimeout ?? MembershipSettings.Create(config).JoinTimeout;
        var reason = JoinWatch.AwaitUp(system, timeout, options.Tls is not null);
        if (reason is null) return system;
        system.Terminate().Wait(TimeSpan.FromSeconds(10));
        throw new TimeoutException($"Could not join the PoolCluster at {seedAddress} within {timeout.TotalSeconds:0.#} s: {reason}");
    }
}
