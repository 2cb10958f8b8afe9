using Akka;
using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PoolCluster.Hosting;
using PoolCluster.Tests.Support;

namespace PoolCluster.Tests.Hosting;

/// <summary>Functions the hosted pools run. Static, so each child resolves them from this test assembly.</summary>
public static class HostingFunctions
{
    public static int Cube(int x) => x * x * x;

    public static int SleepThenPid(int ms) { Thread.Sleep(ms); return Environment.ProcessId; }

    public static string Greeting() => $"hello from {Environment.ProcessId}";
}

public sealed class WorkerPoolHostingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static IHost BuildHost(Action<IServiceCollection> configure)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        configure(builder.Services);
        return builder.Build();
    }

    /// <summary>Stops the host if a test left it running, then disposes it, both bounded.</summary>
    private static async Task Cleanup(IHost host, bool stopped)
    {
        if (!stopped)
        {
            try { await host.StopAsync().WaitAsync(Patience); }
            catch (Exception) { /* the test has already failed; disposing still ends the pool */ }
        }
        host.Dispose();
    }

    [Fact]
    public async Task A_hosted_pool_is_injected_maps_and_its_children_exit_before_the_actor_system_when_the_host_stops()
    {
        var childrenBefore = ProcessProbe.ChildrenOf(Environment.ProcessId).ToHashSet();
        List<int> pids = [];
        int[]? aliveWhenSystemTerminates = null;
        var host = BuildHost(services => services
            .AddAkka("pool", b => b
                .WithWorkerPool(o => o.Processes = 2)
                // Runs in the last CoordinatedShutdown phases: by then the pool's children must already be gone.
                .AddStartup((system, _) => CoordinatedShutdown.Get(system).AddTask(
                    CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "test-record-children", () =>
                    {
                        lock (pids) aliveWhenSystemTerminates = pids.Where(ProcessProbe.IsAlive).ToArray();
                        return Task.FromResult(Done.Instance);
                    })))
            .AddWorkerPool());
        var stopped = false;
        try
        {
            await host.StartAsync().WaitAsync(Patience);
            var pool = host.Services.GetRequiredService<WorkerPool>();
            Assert.Same(pool, host.Services.GetRequiredService<WorkerPool>());
            Assert.Same(pool, await host.Services.GetRequiredService<IRequiredWorkerPool>().GetAsync().WaitAsync(Patience));
            Assert.Same(host.Services.GetRequiredService<ActorSystem>(), pool.System);
            Assert.Equal(2, pool.Processes);
            // WithWorkerPool appended PoolCluster's reference.conf: objects travel with Akka.Serialization.Hyperion.
            Assert.IsType<Akka.Serialization.HyperionSerializer>(
                pool.System.Serialization.FindSerializerForType(typeof(object)));

            var cubes = pool.MapAsync(HostingFunctions.Cube, Enumerable.Range(0, 50)).Get(Patience);
            Assert.Equal(Enumerable.Range(0, 50).Select(x => x * x * x), cubes);

            var mapped = pool.MapAsync(HostingFunctions.SleepThenPid, Enumerable.Repeat(50, 8), chunkSize: 1).Get(Patience);
            var children = ProcessProbe.ChildrenOf(Environment.ProcessId).Where(p => !childrenBefore.Contains(p));
            lock (pids) pids.AddRange(mapped.Concat(children).Distinct());
            Assert.DoesNotContain(Environment.ProcessId, pids);
            Assert.InRange(mapped.Distinct().Count(), 1, 2);
            Assert.All(pids, pid => Assert.True(ProcessProbe.IsAlive(pid), $"child {pid} should run while the host runs"));

            await host.StopAsync().WaitAsync(Patience);
            stopped = true;

            Assert.Empty(ProcessProbe.WaitUntilGone(pids, TimeSpan.FromSeconds(5)));
            Assert.NotNull(aliveWhenSystemTerminates);
            Assert.Empty(aliveWhenSystemTerminates!);
            await pool.System.WhenTerminated.WaitAsync(Patience);   // the actor system stops with the host
            var e = Assert.Throws<InvalidOperationException>(() => pool.Map(HostingFunctions.Cube, new[] { 1 }));
            Assert.Equal("Pool not running", e.Message);
        }
        finally
        {
            await Cleanup(host, stopped);
            foreach (var pid in ProcessProbe.WaitUntilGone(pids, TimeSpan.FromSeconds(1))) ProcessProbe.KillHard(pid);
        }
    }

    /// <summary>A hosted service is constructed before Akka starts: it takes IRequiredWorkerPool and awaits the pool.</summary>
    private sealed class EarlyConsumer(IRequiredWorkerPool required) : BackgroundService
    {
        public TaskCompletionSource<string> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            try
            {
                var pool = await required.GetAsync(stoppingToken);
                Result.TrySetResult(await pool.ApplyAsync(HostingFunctions.Greeting).AsTask());
            }
            catch (Exception e) { Result.TrySetException(e); }
        }
    }

    [Fact]
    public async Task A_service_constructed_before_Akka_starts_gets_the_pool_through_IRequiredWorkerPool()
    {
        // Registered before AddAkka, so the host constructs and starts it before the actor system exists.
        var host = BuildHost(services => services
            .AddSingleton<EarlyConsumer>()
            .AddHostedService(sp => sp.GetRequiredService<EarlyConsumer>())
            .AddAkka("pool", b => b.WithWorkerPool(new WorkerPoolHostingOptions { Processes = 1 }))
            .AddWorkerPool());
        try
        {
            await host.StartAsync().WaitAsync(Patience);
            var greeting = await host.Services.GetRequiredService<EarlyConsumer>().Result.Task.WaitAsync(Patience);
            Assert.StartsWith("hello from ", greeting);
            Assert.NotEqual($"hello from {Environment.ProcessId}", greeting);
        }
        finally
        {
            await Cleanup(host, stopped: false);
        }
    }

    [Fact]
    public async Task Without_WithWorkerPool_resolving_the_pool_fails_at_once_with_a_clear_message()
    {
        var host = BuildHost(services => services.AddAkka("pool", _ => { }).AddWorkerPool());
        try
        {
            await host.StartAsync().WaitAsync(Patience);
            var e = Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<WorkerPool>());
            Assert.Contains("WithWorkerPool", e.Message);
            await Assert.ThrowsAsync<InvalidOperationException>(() => host.Services.GetRequiredService<IRequiredWorkerPool>().GetAsync());
        }
        finally
        {
            await Cleanup(host, stopped: false);
        }
    }

    [Fact]
    public void WithWorkerPool_adds_the_defaults_as_a_fallback_and_checks_options_when_called()
    {
        var builder = new AkkaConfigurationBuilder(new ServiceCollection(), "pool")
            .AddHocon("poolcluster.pool.max-retries = 7", HoconAddMode.Prepend)
            .WithWorkerPool();
        var config = builder.Configuration.Value;
        Assert.Equal(7, config.GetInt("poolcluster.pool.max-retries"));   // the application's value wins
        Assert.Equal(2, config.GetInt("poolcluster.pool.chunks-in-flight-per-worker"));
        Assert.Equal("Akka.Serialization.HyperionSerializer, Akka.Serialization.Hyperion", config.GetString("akka.actor.serializers.hyperion"));

        var fresh = new AkkaConfigurationBuilder(new ServiceCollection(), "pool");
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => fresh.WithWorkerPool(o => o.Processes = 0));
        Assert.Contains("Processes", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => fresh.WithWorkerPool(o => o.WorkerNodeProcesses = 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => fresh.WithWorkerPool(o => o.MaxTasksPerChild = -1));
    }

    [Fact]
    public async Task A_cluster_member_serving_as_a_worker_node_runs_the_pool_on_its_own_node()
    {
        var host = BuildHost(services => services
            .AddAkka("pool", b => b
                .WithRemoting("127.0.0.1", 0)
                .WithClustering(new ClusterOptions { Roles = ["worker"] })
                // A one-member cluster on a random port: join itself once its address is known.
                .AddStartup((system, _) => Akka.Cluster.Cluster.Get(system).Join(Akka.Cluster.Cluster.Get(system).SelfAddress))
                .WithWorkerPool(o => { o.ServeAsWorkerNode = true; o.WorkerNodeProcesses = 2; }))
            .AddWorkerPool());
        var stopped = false;
        List<int> pids = [];
        try
        {
            await host.StartAsync().WaitAsync(Patience);
            var pool = host.Services.GetRequiredService<WorkerPool>();
            // The pool waits for worker nodes; this member becomes one as soon as it is Up.
            var cubes = pool.MapAsync(HostingFunctions.Cube, Enumerable.Range(0, 20), chunkSize: 2).Get(Patience);
            Assert.Equal(Enumerable.Range(0, 20).Select(x => x * x * x), cubes);
            Assert.Equal(2, pool.Processes);
            pids = pool.MapAsync(HostingFunctions.SleepThenPid, Enumerable.Repeat(20, 6), chunkSize: 1).Get(Patience).Distinct().ToList();
            Assert.DoesNotContain(Environment.ProcessId, pids);

            await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(60));
            stopped = true;
            Assert.Empty(ProcessProbe.WaitUntilGone(pids, TimeSpan.FromSeconds(5)));
        }
        finally
        {
            await Cleanup(host, stopped);
            foreach (var pid in ProcessProbe.WaitUntilGone(pids, TimeSpan.FromSeconds(1))) ProcessProbe.KillHard(pid);
        }
    }

    [Fact]
    public async Task On_a_member_serving_as_a_worker_node_Processes_is_the_nodes_whole_budget()
    {
        var host = BuildHost(services => services
            .AddAkka("pool", b => b
                .WithRemoting("127.0.0.1", 0)
                .WithClustering(new ClusterOptions { Roles = ["worker"] })
                .AddStartup((system, _) => Akka.Cluster.Cluster.Get(system).Join(Akka.Cluster.Cluster.Get(system).SelfAddress))
                .WithWorkerPool(o => { o.ServeAsWorkerNode = true; o.Processes = 2; }))
            .AddWorkerPool());
        var stopped = false;
        try
        {
            await host.StartAsync().WaitAsync(Patience);
            var pool = host.Services.GetRequiredService<WorkerPool>();
            var job = pool.MapAsync(HostingFunctions.SleepThenPid, Enumerable.Repeat(100, 20), chunkSize: 1);
            var most = 0;
            var deadline = DateTime.UtcNow + Patience;
            while (!job.Ready && DateTime.UtcNow < deadline)
            {
                most = Math.Max(most, ProcessProbe.ChildrenOf(Environment.ProcessId).Count);
                job.Wait(TimeSpan.FromMilliseconds(25));
            }
            Assert.Equal(20, job.Get(Patience).Count);
            Assert.Equal(2, pool.Processes);
            Assert.InRange(most, 1, 2);
            await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(60));
            stopped = true;
        }
        finally
        {
            await Cleanup(host, stopped);
        }
    }

    [Fact]
    public async Task ServeAsWorkerNode_without_clustering_fails_the_pool_start_with_a_clear_message()
    {
        var host = BuildHost(services => services
            .AddAkka("pool", b => b.WithWorkerPool(o => o.ServeAsWorkerNode = true))
            .AddWorkerPool());
        try
        {
            // Akka.Hosting fails the host start when a startup task throws.
            var e = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync().WaitAsync(Patience));
            Assert.Contains("WithClustering", e.Message);
            // Whoever waits for the pool learns why it never came instead of waiting.
            var waiting = await Assert.ThrowsAsync<InvalidOperationException>(
                () => host.Services.GetRequiredService<IRequiredWorkerPool>().GetAsync().WaitAsync(Patience));
            Assert.Same(e, waiting);
        }
        finally
        {
            await Cleanup(host, stopped: false);
        }
    }
}
