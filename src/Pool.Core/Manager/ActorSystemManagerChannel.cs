using System.Runtime.CompilerServices;
using Akka.Actor;

namespace PoolCluster.Manager;

/// <summary>
/// The channel of a process that runs actor systems (a caller, a client, a node): a call is an Ask to the manager.
/// A manager hosted in this process is asked directly; otherwise the call goes through a live actor system that a
/// <see cref="PoolManager"/> registered (a cluster member for the singleton, a remoting system for an akka.tcp path).
/// It tells the manager which client actor to watch, so locks held by this process are released when it dies.
/// </summary>
internal sealed class ActorSystemManagerChannel : IManagerChannel
{
    public static readonly ActorSystemManagerChannel Instance = new();

    private readonly List<ActorSystem> _systems = [];
    private readonly ConditionalWeakTable<ActorSystem, string> _watchPaths = new();

    private ActorSystemManagerChannel() { }

    public string Holder { get; } = HolderIds.ForThisProcess();

    /// <summary>Makes <paramref name="system"/> available to route calls (until it terminates or is removed).</summary>
    public void Add(ActorSystem system)
    {
        lock (_systems) _systems.Add(system);
    }

    public void Remove(ActorSystem system)
    {
        lock (_systems) _systems.Remove(system);
    }

    public byte[] Call(ManagerAddress manager, byte[] call, TimeSpan timeout)
    {
        ICanTell target;
        string? watch = null;
        if (manager.ActorPath is { } path && LocalManagers.TryGet(path, out var local))
            target = local;
        else
        {
            var system = Pick(manager) ?? throw new ManagerUnavailableException(
                $"The manager ({manager}) is not reachable from this process: it was disposed, or no PoolManager connected to its cluster is open here.");
            target = ManagerResolver.Get(system).Resolve(manager);
            watch = WatchPath(system);
        }
        try
        {
            var result = target.Ask<ManagerResult>(new ManagerRequestMessage(call, watch), timeout).GetAwaiter().GetResult();
            return result.Reply;
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException or OperationCanceledException)
        {
            throw new ManagerUnavailableException($"The manager ({manager}) did not answer within {timeout.TotalSeconds:0.#} s: its process or node may be gone.", e);
        }
    }

    private ActorSystem? Pick(ManagerAddress manager)
    {
        lock (_systems)
        {
            _systems.RemoveAll(s => s.WhenTerminated.IsCompleted);
            // The latest first: in a process with several systems, the newest PoolManager's is the likeliest target.
            for (var i = _systems.Count - 1; i >= 0; i--)
            {
                var provider = ((ExtendedActorSystem)_systems[i]).Provider;
                if (manager.ActorPath is null ? provider is Akka.Cluster.ClusterActorRefProvider : provider is Akka.Remote.IRemoteActorRefProvider)
                    return _systems[i];
            }
            return null;
        }
    }

    /// <summary>A small actor per remoting system whose death (with its node) tells the manager this process is gone.</summary>
    private string? WatchPath(ActorSystem system)
    {
        if (((ExtendedActorSystem)system).Provider is not Akka.Remote.IRemoteActorRefProvider provider) return null;
        lock (_watchPaths)
        {
            if (_watchPaths.TryGetValue(system, out var path)) return path;
            IActorRef actor;
            try { actor = system.ActorOf(Props.Create(() => new HolderAnchor()), "poolcluster-manager-client"); }
            catch (InvalidActorNameException) { return null; }
            path = actor.Path.ToStringWithAddress(provider.DefaultAddress);
            _watchPaths.Add(system, path);
            return path;
        }
    }

    /// <summary>Does nothing: it exists to be watched.</summary>
    private sealed class HolderAnchor : UntypedActor
    {
        protected override void OnReceive(object message) => Unhandled(message);
    }
}
