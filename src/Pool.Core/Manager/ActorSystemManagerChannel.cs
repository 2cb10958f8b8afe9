using System.Runtime.CompilerServices;
using Akka.Actor;

namespace PoolCluster.Manager;

/// <summary>
/// The channel of one <see cref="PoolManager"/> in a process that runs actor systems (a caller, a client, a node): a
/// call is an Ask to the manager through that PoolManager's own actor system, so two clusters in one process never
/// reach each other's manager. It tells the manager which client actor to watch, so locks held by this process are
/// released when it dies.
/// </summary>
internal sealed class ActorSystemManagerChannel : IManagerChannel
{
    // Open channels, newest last: only for proxies that arrive without the channel of the manager that made them.
    private static readonly List<ActorSystemManagerChannel> Open = [];
    // One watched anchor per actor system, whichever of its PoolManagers asks first.
    private static readonly ConditionalWeakTable<ActorSystem, string> WatchPaths = new();

    private readonly ActorSystem _system;
    private volatile bool _closed;

    private ActorSystemManagerChannel(ActorSystem system) => _system = system;

    public string Holder { get; } = HolderIds.ForThisProcess();

    /// <summary>A channel through <paramref name="system"/>, open until <see cref="Close"/>.</summary>
    public static ActorSystemManagerChannel Opened(ActorSystem system)
    {
        var channel = new ActorSystemManagerChannel(system);
        lock (Open) Open.Add(channel);
        return channel;
    }

    public void Close()
    {
        _closed = true;
        lock (Open) Open.Remove(this);
    }

    public byte[] Call(ManagerAddress manager, byte[] call, TimeSpan timeout)
    {
        // A proxy outliving its PoolManager still works while another open one reaches the same manager.
        if (_closed || _system.WhenTerminated.IsCompleted)
            return (OpenFor(manager) ?? throw new ManagerUnavailableException(
                $"The manager ({manager}) is not reachable from this process: it was disposed, or no PoolManager connected to its cluster is open here.")).Call(manager, call, timeout);
        var target = ManagerResolver.Get(_system).Resolve(manager);
        var watch = manager.ActorPath is { } path && LocalManagers.TryGet(path, out _) ? null : WatchPath(_system);
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

    /// <summary>An open channel that can reach <paramref name="manager"/>: a hosted one through the system that hosts it
    /// (or any, for a manager of this process), the cluster singleton through the newest cluster member's.</summary>
    internal static ActorSystemManagerChannel? OpenFor(ManagerAddress manager)
    {
        lock (Open)
        {
            Open.RemoveAll(c => c._system.WhenTerminated.IsCompleted);
            ActorSystemManagerChannel? reaching = null;
            // The latest first: in a process with several systems, the newest PoolManager's is the likeliest target.
            for (var i = Open.Count - 1; i >= 0; i--)
            {
                var provider = ((ExtendedActorSystem)Open[i]._system).Provider;
                if (manager.ActorPath is { } path)
                {
                    if (path.StartsWith(provider.DefaultAddress + "/", StringComparison.Ordinal)) return Open[i];
                    if (LocalManagers.TryGet(path, out _) || provider is Akka.Remote.IRemoteActorRefProvider) reaching ??= Open[i];
                }
                else if (provider is Akka.Cluster.ClusterActorRefProvider) return Open[i];
            }
            return reaching;
        }
    }

    /// <summary>A small actor per remoting system whose death (with its node) tells the manager this process is gone.</summary>
    private static string? WatchPath(ActorSystem system)
    {
        if (((ExtendedActorSystem)system).Provider is not Akka.Remote.IRemoteActorRefProvider provider) return null;
        lock (WatchPaths)
        {
            if (WatchPaths.TryGetValue(system, out var path)) return path;
            IActorRef actor;
            try { actor = system.ActorOf(Props.Create(() => new HolderAnchor()), "poolcluster-manager-client"); }
            catch (InvalidActorNameException) { return null; }
            path = actor.Path.ToStringWithAddress(provider.DefaultAddress);
            WatchPaths.Add(system, path);
            return path;
        }
    }

    /// <summary>Does nothing: it exists to be watched.</summary>
    private sealed class HolderAnchor : UntypedActor
    {
        protected override void OnReceive(object message) => Unhandled(message);
    }
}
