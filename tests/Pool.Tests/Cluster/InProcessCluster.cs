using Akka.Actor;
using Akka.Configuration;
using PoolCluster;
using PoolCluster.Cluster;

namespace PoolCluster.Tests.Cluster;

/// <summary>
/// A seed and worker nodes as separate ActorSystems in this process, talking Akka.Remote over loopback TCP on random
/// ports. Fast cluster tests; the multi-process tests run the real executables.
/// </summary>
public sealed class InProcessCluster : IDisposable
{
    private static readonly Config Fast = ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.cluster.split-brain-resolver.stable-after = 3s
        akka.cluster.failure-detector.acceptable-heartbeat-pause = 2s
        akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
        akka.cluster.run-coordinated-shutdown-when-down = off
        """);

    private readonly List<ActorSystem> _systems = [];
    private readonly PoolCluster.Security.TlsOptions? _tls;

    public InProcessCluster(PoolCluster.Security.TlsOptions? tls = null)
    {
        _tls = tls;
        Seed = Start(["seed"], seeds: null);
        Akka.Cluster.Cluster.Get(Seed).RegisterOnMemberUp(() => { });
        Akka.Cluster.Cluster.Get(Seed).Join(Akka.Cluster.Cluster.Get(Seed).SelfAddress);
        SeedAddress = Akka.Cluster.Cluster.Get(Seed).SelfAddress.ToString();
    }

    public ActorSystem Seed { get; }

    public string SeedAddress { get; }

    public static Config FastConfig => Fast;

    /// <summary>Starts a worker node offering <paramref name="processes"/> child processes per client.</summary>
    public ActorSystem StartNode(int processes, PoolCluster.Security.TlsOptions? tls = null)
    {
        var node = Start(["worker"], [SeedAddress], tls ?? _tls);
        PoolNode.StartWorkerHost(node, processes);
        return node;
    }

    public WorkerPool Connect(PoolOptions? options = null)
    {
        options ??= new PoolOptions();
        options.Config = options.Config is null ? Fast : options.Config.WithFallback(Fast);
        options.Tls ??= _tls;
        return WorkerPool.Connect(SeedAddress, options);
    }

    private ActorSystem Start(string[] roles, string[]? seeds, PoolCluster.Security.TlsOptions? tls = null)
    {
        var system = PoolCluster.Security.ClusterTls.CreateSystem("pool", PoolClusterConfig.ForMember("127.0.0.1", 0, seeds, roles, Fast), tls ?? _tls);
        lock (_systems) _systems.Add(system);
        return system;
    }

    /// <summary>Polls until the condition holds; fails the test after the timeout.</summary>
    public static void WaitFor(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out after {timeout.TotalSeconds} s waiting for {what}");
            Thread.Sleep(50);
        }
    }

    public void Dispose()
    {
        List<ActorSystem> all;
        lock (_systems) all = [.. _systems];
        Task.WaitAll(all.Select(s => s.Terminate()).ToArray(), TimeSpan.FromSeconds(30));
    }
}
