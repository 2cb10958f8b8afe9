using Akka.Actor;
using Akka.Event;
using PoolCluster.Manager.State;
using PoolCluster.Tasks;

namespace PoolCluster.Manager;

/// <summary>
/// Holds the named shared objects and executes every <see cref="ManagerCall"/> as one message, so each operation is
/// atomic. Blocking operations (queue get/put, lock/semaphore acquire, event and barrier waits) are parked as waiters
/// and answered when they can proceed or at their deadline (a timer per waiter). Holders are watched: what a child
/// process (reported by its worker with <see cref="HolderGone"/>), a worker actor or a client actor system held is
/// released when it dies.
/// </summary>
internal sealed class ManagerActor : ReceiveActor, IWithTimers, IWaiterHost
{
    private readonly Dictionary<string, SharedState> _objects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IActorRef?> _watchedPaths = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, HashSet<string>> _holdersByWatched = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private long _nextWaiter;

    public ManagerActor()
    {
        Receive<ManagerRequestMessage>(OnRequest);
        Receive<HolderGone>(m => Release(m.Holder, because: "its process ended"));
        Receive<WaitExpired>(m =>
        {
            if (_objects.TryGetValue(m.ObjectName, out var state)) state.Expire(m.WaiterId);
        });
        Receive<Terminated>(OnWatchedTerminated);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props() => Akka.Actor.Props.Create(() => new ManagerActor());

    private void OnRequest(ManagerRequestMessage request)
    {
        ManagerCall call;
        try { call = Wire.FromBytes<ManagerCall>(request.Call); }
        catch (Exception e)
        {
            // A value whose type this process cannot load, for instance.
            ManagerOp.SendError(Sender, new InvalidOperationException($"The manager could not read the call: {e.Message}", e));
            return;
        }
        Watch(request.WatchWorkerPath, call.Holder);
        var op = new ManagerOp(call, Sender, this);
        try
        {
            if (call.Operation == ObjectKinds.CreateOperation) Create(op, call.Kind);
            else if (!_objects.TryGetValue(call.ObjectName, out var state))
                op.Fail(new SharedObjectMissingException($"The manager holds no object named '{call.ObjectName}'."));
            else if (state.Kind != call.Kind) op.Fail(KindMismatch(call.ObjectName, state.Kind, call.Kind));
            else state.Execute(op);
        }
        catch (Exception e)
        {
            op.Fail(e);
        }
    }

    private void Create(ManagerOp op, string kind)
    {
        if (_objects.TryGetValue(op.Name, out var existing))
        {
            if (existing.Kind == kind) op.Reply(false);
            else op.Fail(KindMismatch(op.Name, existing.Kind, kind));
            return;
        }
        _objects[op.Name] = kind switch
        {
            ObjectKinds.Dict => new DictState(),
            ObjectKinds.List => new ListState(),
            ObjectKinds.Queue => new QueueState(op.Raw(0) as int?),
            ObjectKinds.Value => new ValueState(op.Raw(0)),
            ObjectKinds.Lock => new LockState(reentrant: false),
            ObjectKinds.RLock => new LockState(reentrant: true),
            ObjectKinds.Semaphore => new SemaphoreState(op.Arg<int>(0)),
            ObjectKinds.Event => new EventState(),
            ObjectKinds.Barrier => new BarrierState(op.Arg<int>(0)),
            ObjectKinds.Namespace => new NamespaceState(),
            ObjectKinds.Hosted => HostedObjectState.Create(op.Arg<Delegate>(0), op.Arg<string>(1)),
            _ => throw new InvalidOperationException($"Unknown shared object kind '{kind}'"),
        };
        op.Reply(true);
    }

    private static InvalidOperationException KindMismatch(string name, string existing, string requested) =>
        new($"The shared object '{name}' is a {existing}; it cannot be used as a {requested}. Pick another name.");

    // ---- waiters ------------------------------------------------------------------------------------------------

    Waiter IWaiterHost.Park(ManagerOp op, TimeSpan timeout, object? data)
    {
        var waiter = new Waiter(++_nextWaiter, op.Holder, op.ReplyTo, data);
        Timers.StartSingleTimer(waiter.Id, new WaitExpired(op.Name, waiter.Id), timeout);
        return waiter;
    }

    void IWaiterHost.Unpark(Waiter waiter) => Timers.Cancel(waiter.Id);

    // ---- holders' deaths ----------------------------------------------------------------------------------------

    private void Release(string holder, string because)
    {
        _log.Debug("Releasing what {0} held in shared objects: {1}", holder, because);
        foreach (var state in _objects.Values) state.ReleaseHolder(holder, this);
        foreach (var holders in _holdersByWatched.Values) holders.RemoveWhere(h => HolderIds.BelongsTo(h, holder));
    }

    /// <summary>
    /// Remembers through which actor (a worker actor, or a client system's actor) a holder calls, and watches that
    /// actor once: when it (or its whole node) dies, every holder that called through it is released.
    /// </summary>
    private void Watch(string? path, string holder)
    {
        if (path is null) return;
        if (!_watchedPaths.TryGetValue(path, out var watched))
        {
            watched = Resolve(path);
            _watchedPaths[path] = watched;
            if (watched is not null)
            {
                Context.Watch(watched);
                _holdersByWatched[watched] = new HashSet<string>(StringComparer.Ordinal);
            }
        }
        if (watched is not null) _holdersByWatched[watched].Add(holder);
    }

    private IActorRef? Resolve(string path)
    {
        if (!ActorPath.TryParse(path, out var actorPath)) return null;
        var provider = ((ExtendedActorSystem)Context.System).Provider;
        var address = actorPath.Address;
        // A path written without host (a local actor's own view of itself) is completed with the sender's address:
        // the request came from that actor's system.
        if (!address.HasGlobalScope && Sender.Path.Address.HasGlobalScope && Sender.Path.Address.System == address.System)
        {
            address = Sender.Path.Address;
            actorPath = new RootActorPath(address) / actorPath.Elements;
        }
        if (address.HasGlobalScope && address != provider.DefaultAddress)
            return provider is Akka.Remote.IRemoteActorRefProvider ? provider.ResolveActorRef(actorPath) : null;
        // Another local actor system of this process (a standalone pool beside a local manager): not watchable from
        // here, and not needed; its children's deaths still arrive as HolderGone.
        if (address.System != Context.System.Name || Sender is not IInternalActorRef { Provider: var senderProvider }
            || !ReferenceEquals(senderProvider, provider)) return null;
        var local = provider.ResolveActorRef(actorPath);
        return local is Nobody or null ? null : local;
    }

    private void OnWatchedTerminated(Terminated terminated)
    {
        if (!_holdersByWatched.Remove(terminated.ActorRef, out var holders)) return;
        foreach (var (path, watched) in _watchedPaths.Where(p => Equals(p.Value, terminated.ActorRef)).ToList())
            _watchedPaths.Remove(path);
        foreach (var holder in holders)
            Release(holder, because: $"{terminated.ActorRef.Path} (through which it called) is gone");
    }
}
