using Akka.Actor;

namespace PoolCluster.Cluster;

/// <summary>
/// Joins a running PoolCluster as a client member (role <c>client</c>): what <see cref="WorkerPool.Connect"/> and
/// <see cref="PoolManager.Connect"/> share. Returns once this member is Up, or fails with a clear error.
/// </summary>
internal static class ClusterClient
{
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
            [seedAddress], ["client"], options.Config);
        var system = Security.ClusterTls.CreateSystem(seed.System, config, options.Tls);
        var joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() => joined.TrySetResult());
        var timeout = options.ConnectTimeout ?? TimeSpan.FromSeconds(30);
        if (joined.Task.Wait(timeout)) return system;
        system.Terminate().Wait(TimeSpan.FromSeconds(10));
        throw new TimeoutException($"Could not join the PoolCluster at {seedAddress} within {timeout.TotalSeconds:0.#} s: is a seed node (Pool.Seed) running there" +
                                   (options.Tls is null ? "?" : ", and does it trust this client's certificate?"));
    }
}
