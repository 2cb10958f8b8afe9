using Akka;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Event;
using PoolCluster.Cluster;

namespace PoolCluster.Hosting;

/// <summary>
/// Carries the <see cref="WorkerPoolHostingOptions"/> from <c>WithWorkerPool</c> into the actor system. Its presence
/// in <c>ActorSystem.Settings.Setup</c> is also how the DI side tells "no pool was configured" (fail now) from
/// "the pool is not started yet" (wait).
/// </summary>
internal sealed class WorkerPoolHostingSetup(WorkerPoolHostingOptions options) : Setup
{
    public WorkerPoolHostingOptions Options { get; } = options;
}

/// <summary>
/// The actor system's hosted pool (an Akka extension, one per system): created by the <c>WithWorkerPool</c> startup
/// task, terminated by CoordinatedShutdown before the system stops, awaited by <see cref="IRequiredWorkerPool"/>.
/// </summary>
internal sealed class HostedWorkerPool : IExtension
{
    /// <summary>Name of the CoordinatedShutdown task that terminates the pool.</summary>
    internal const string ShutdownTaskName = "poolcluster-terminate-hosted-pool";

    private readonly ExtendedActorSystem _system;
    private readonly TaskCompletionSource<WorkerPool> _pool = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _started;

    public HostedWorkerPool(ExtendedActorSystem system)
    {
        _system = system;
        // A system that stops before the startup task ran (a failed host start) must not leave resolvers waiting.
        system.WhenTerminated.ContinueWith(_ => _pool.TrySetException(new InvalidOperationException(
                $"The actor system '{system.Name}' terminated before its WorkerPool was started")),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public static HostedWorkerPool Get(ActorSystem system) => system.WithExtension<HostedWorkerPool, HostedWorkerPoolId>();

    /// <summary>Whether <c>WithWorkerPool</c> configured this system.</summary>
    public bool IsConfigured => _system.Settings.Setup.Get<WorkerPoolHostingSetup>().HasValue;

    /// <summary>Completes with the pool once it runs; faults if starting it failed or the system stopped first.</summary>
    public Task<WorkerPool> Pool => _pool.Task;

    /// <summary>Creates the pool (and the worker node, if asked); later calls do nothing.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) == 1) return;
        try
        {
            var setup = _system.Settings.Setup.Get<WorkerPoolHostingSetup>();
            var options = setup.HasValue ? setup.Value.Options : new WorkerPoolHostingOptions();
            var poolOptions = options;
            if (options.ServesAsWorkerNode)
            {
                StartWorkerNode(options);
                // Processes is the node's whole budget, which this pool shares with every other client: no extra workers.
                poolOptions = options.Copy();
                poolOptions.Processes = null;
            }
            var pool = WorkerPool.Create(_system, poolOptions);
            // The first phase: the pool is gone (children killed, results failed) before anything else shuts down,
            // the worker node's drain (before-cluster-shutdown) included. AkkaHostedService.StopAsync runs this.
            CoordinatedShutdown.Get(_system).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, ShutdownTaskName, async () =>
            {
                try { await pool.DisposeAsync().ConfigureAwait(false); }
                catch (Exception e) { _system.Log.Warning("PoolCluster: the hosted WorkerPool did not stop cleanly: {0}", e.Message); }
                return Done.Instance;
            });
            _pool.TrySetResult(pool);
        }
        catch (Exception e)
        {
            _pool.TrySetException(e);
            throw;
        }
    }

    private void StartWorkerNode(WorkerPoolHostingOptions options)
    {
        if (_system.Provider is not Akka.Cluster.ClusterActorRefProvider)
            throw new InvalidOperationException(
                "ServeAsWorkerNode needs a cluster actor system: add WithClustering(...) (Akka.Cluster.Hosting) or set akka.actor.provider = cluster");
        var role = ClusterSettings.Create(_system.Settings.Config).WorkerRole;
        // Routers only attach to members with the worker role: without it the node's processes would sit unused.
        if (!Akka.Cluster.Cluster.Get(_system).SelfRoles.Contains(role))
            throw new InvalidOperationException(
                $"ServeAsWorkerNode needs the cluster role '{role}' on this member, e.g. WithClustering(new ClusterOptions {{ Roles = new[] {{ \"{role}\" }} }})");
        var processes = options.WorkerNodeProcesses ?? options.Processes ?? PoolSettings.Create(_system.Settings.Config).Processes;
        PoolNode.StartWorkerHost(_system, processes);
    }
}

/// <summary>Akka's extension id for <see cref="HostedWorkerPool"/>.</summary>
internal sealed class HostedWorkerPoolId : ExtensionIdProvider<HostedWorkerPool>
{
    public override HostedWorkerPool CreateExtension(ExtendedActorSystem system) => new(system);
}
