using Akka.Actor;
using Akka.DistributedData;
using Akka.Event;
using PoolCluster.Manager.State;
using PoolCluster.WireFormat.Values;

namespace PoolCluster.Manager;

/// <summary>
/// Holds the named shared objects and executes every <see cref="ManagerCall"/> as one message, so each operation is
/// atomic. Blocking operations (queue get/put, lock/semaphore acquire, event and barrier waits) are parked as waiters
/// and answered when they can proceed or at their deadline (a timer per waiter). Holders are watched: what a child
/// process (reported by its worker with <see cref="HolderGone"/>), a worker actor or a client actor system held is
/// released when it dies. In a cluster, the content of dicts, lists, queues, values and namespaces is replicated
/// (<see cref="ManagerReplica"/>): a call that changed one is answered only once a majority of the manager's members
/// hold the change, and a manager that starts reads the copy before its first call.
/// </summary>
internal sealed class ManagerActor : ReceiveActor, IWithTimers, IWaiterHost, IWithUnboundedStash
{
    private readonly ManagerReplica? _replica;
    private readonly Dictionary<string, SharedState> _objects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IActorRef?> _watchedPaths = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, HashSet<string>> _holdersByWatched = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private long _nextWaiter;

    public ManagerActor() : this(null) { }

    public ManagerActor(ManagerReplica? replica)
    {
        _replica = replica;
        if (replica is null) Ready();
        else Restoring(majority: true);
    }

    public IStash Stash { get; set; } = null!;

    private void Restoring(bool majority)
    {
        _replica!.Read(majority, Self);
        Receive<GetSuccess>(success =>
        {
            foreach (var (name, state) in ManagerReplica.Objects(success)) _objects[name] = state;
            _log.Info("Manager restored {0} replicated shared objects", _objects.Count);
            BecomeReady();
        });
        Receive<NotFound>(_ => BecomeReady());
        // No majority answered (members still being removed): what this member holds is what a majority had.
        Receive<GetFailure>(_ => { if (majority) Become(() => Restoring(majority: false)); else BecomeReady(); });
        ReceiveAny(_ => Stash.Stash());
    }

    private void BecomeReady()
    {
        Become(Ready);
        Stash.UnstashAll();
    }

    private void Ready()
    {
        Receive<ManagerRequestMessage>(OnRequest);
        Receive<UpdateSuccess>(success => SendHeld(success.Request));
        // Not confirmed by a majority in time: the change stands here but could be lost with this member, so the
        // caller gets an error instead of an answer it could rely on.
        Receive<IUpdateFailure>(failure => FailHeld(failure.Request));
        Receive<HolderGone>(m => Release(m.Holder, because: "its process ended"));
        Receive<WaitExpired>(m =>
        {
            if (_objects.TryGetValue(m.ObjectName, out var state)) state.Expire(m.WaiterId);
        });
        Receive<Terminated>(OnWatchedTerminated);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ManagerReplica? replica = null) => Akka.Actor.Props.Create(() => new ManagerActor(replica));

    private sealed record HeldReplies(IActorRef To, List<ManagerResult> Results);

    private static void SendHeld(object? context)
    {
        if (context is not HeldReplies held) return;
        foreach (var result in held.Results) held.To.Tell(result);
    }

    private static void FailHeld(object? context)
    {
        if (context is not HeldReplies held) return;
        ManagerOp.SendError(held.To, new ManagerUnavailableException(
            "The change was made but not confirmed by a majority of the manager's members in time; it may be lost if the manager's member goes."));
    }

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
        _objects.TryGetValue(call.ObjectName, out var before);
        // Hold the answer of anything that may change a replicated object until a majority has the change.
        var replicate = _replica is not null && (call.Operation == SharedOp.Create
            ? before is null : before is IReplicatedState r && r.Reads(call.Operation) is false);
        if (replicate) op.Hold();
        try
        {
            if (call.Operation == SharedOp.Create) Create(op, call.Kind);
            else if (before is null)
                op.Fail(new SharedObjectMissingException($"The manager holds no object named '{call.ObjectName}'."));
            else if (before.Kind != call.Kind) op.Fail(KindMismatch(call.ObjectName, before.Kind, call.Kind));
            else before.Execute(op);
        }
        catch (Exception e)
        {
            op.Fail(e);
        }
        if (!replicate) return;
        var held = new HeldReplies(Sender, op.TakeHeld());
        if (_objects.TryGetValue(call.ObjectName, out var after) && after is IReplicatedState replicated)
            _replica!.Write(call.ObjectName, replicated, held, Self);
        else SendHeld(held);
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
