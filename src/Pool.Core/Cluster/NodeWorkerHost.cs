using Akka;
using Akka.Actor;
using Akka.Event;
using PoolCluster.WireFormat.Messages;
using PoolCluster.Worker;

namespace PoolCluster.Cluster;

/// <summary>
/// Lives on every worker node at <c>/user/poolcluster-node</c> and owns the node's process budget: at most
/// <c>processes</c> workers (each supervising a child process) run at once, across every client router attached.
/// Each slot belongs to one pool at a time (children stay per pool: each has its own initializer and code). Pools with
/// work share the slots fairly (<see cref="FairShare"/>); a pool with nothing queued lends its slots at once, and its
/// idle children stop after <c>poolcluster.node.idle-child-timeout</c>. A slot changes pool only between chunks: the
/// worker giving it up drains (hands back what never started, finishes what runs) and its child exits before the
/// next pool's worker starts. Ships missing client assemblies into the node's cache before a pool's first worker.
/// </summary>
internal sealed class NodeWorkerHost : ReceiveActor, IWithTimers
{
    /// <summary>Asks the host to drain: workers stop taking work, hand back what never started, finish the rest.</summary>
    internal sealed record Drain;

    private sealed record ReviewShares;

    /// <summary>One attached pool: its workers on this node and how much of the node it has had.</summary>
    private sealed class PoolEntry(IActorRef router, WorkerSettings settings, long order)
    {
        public IActorRef Router { get; } = router;
        public WorkerSettings Settings { get; } = settings;
        public long Order { get; } = order;
        public List<IActorRef> Workers { get; } = [];   // hold a slot and serve the pool
        public List<IActorRef> Releasing { get; } = []; // hold a slot until their child has exited
        public PoolActivity Activity { get; set; } = PoolActivity.Idle;
        public DateTime IdleSince { get; set; } = DateTime.UtcNow;
        public double Service { get; set; } // slot-seconds while it had work, for rotating the larger shares
        public int Held => Workers.Count + Releasing.Count;
    }

    private enum HostState { Serving, Draining }

    private readonly int _processes;
    private readonly AssemblyCache _cache;
    private readonly NodeSettings _node;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<IActorRef, PoolEntry> _pools = new();
    private readonly Dictionary<IActorRef, PoolEntry> _slotHolders = new(); // worker -> its pool (also after the pool left)
    private readonly Dictionary<IActorRef, AttachRouter> _waitingForAssemblies = new();
    private HostState _state = HostState.Serving;
    private IActorRef? _drainRequester;
    private long _attachOrder;
    private DateTime _lastReview = DateTime.UtcNow;

    public NodeWorkerHost(int processes, string assemblyCache, NodeSettings node)
    {
        _processes = processes;
        _cache = new AssemblyCache(assemblyCache);
        _node = node;

        Receive<AttachRouter>(OnAttach);
        Receive<AssemblyFiles>(OnAssemblies);
        Receive<PoolActivityChanged>(m => OnActivity(Sender, m.Activity));
        Receive<ReviewShares>(_ => Review());
        Receive<Terminated>(OnTerminated);
        Receive<Drain>(_ => StartDrain());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(int processes, string assemblyCache, NodeSettings node) =>
        Akka.Actor.Props.Create(() => new NodeWorkerHost(processes, assemblyCache, node));

    // A failing worker is stopped; its router sees it terminate and re-dispatches its work.
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    protected override void PreStart() =>
        Timers.StartPeriodicTimer("review", new ReviewShares(), _node.ShareInterval);

    private int FreeSlots => _processes - _slotHolders.Count;

    // ---- attaching -------------------------------------------------------------------------------------------

    private void OnAttach(AttachRouter attach)
    {
        if (_state == HostState.Draining) return;
        if (_pools.TryGetValue(attach.Router, out var existing))
        {
            // A re-attach after the router saw this node unreachable: its earlier demand was forgotten.
            foreach (var w in existing.Workers) w.Tell(new ResetDemand());
            attach.Router.Tell(new Attached(existing.Workers.Count));
            return;
        }
        var (missing, conflicts) = _cache.Compare(attach.Manifest);
        if (conflicts.Count > 0)
            _log.Warning("Client {0} uses other builds of assemblies this node has itself: {1}. Children run this node's copies; " +
                         "a function defined in one of them fails with a clear build-mismatch error.", attach.Router.Path.Address, string.Join(", ", conflicts));
        if (missing.Count > 0)
        {
            if (_waitingForAssemblies.TryAdd(attach.Router, attach))
                attach.Router.Tell(new NeedAssemblies(missing.Select(m => m.Mvid).ToList()));
            return;
        }
        AddPool(attach);
    }

    private void OnAssemblies(AssemblyFiles files)
    {
        if (!_waitingForAssemblies.Remove(Sender, out var attach)) return;
        try
        {
            foreach (var f in files.Files) _cache.Store(f.FileName, f.Mvid, f.Bytes);
        }
        catch (Exception e)
        {
            _log.Error(e, "Could not store assemblies shipped by {0}", Sender.Path.Address);
            return;
        }
        AddPool(attach);
    }

    private void AddPool(AttachRouter attach)
    {
        var settings = attach.Settings with { ShippedAssemblyPaths = _cache.PathsFor(attach.Manifest) };
        var pool = new PoolEntry(attach.Router, settings, ++_attachOrder);
        _pools[attach.Router] = pool;
        Context.Watch(attach.Router);
        // Free slots start the newcomer's children now, so its first call does not wait for a child to start.
        if (!_pools.Values.Any(p => p.Activity == PoolActivity.Working))
            while (FreeSlots > 0) Grant(pool);
        attach.Router.Tell(new Attached(pool.Workers.Count));
        _log.Info("Pool router {0} attached; it has {1} of this node's {2} processes now", attach.Router.Path, pool.Workers.Count, _processes);
        Rebalance();
    }

    // ---- sharing ---------------------------------------------------------------------------------------------

    private void OnActivity(IActorRef router, PoolActivity activity)
    {
        if (!_pools.TryGetValue(router, out var pool) || pool.Activity == activity) return;
        Accrue();
        if (activity == PoolActivity.Working)
        {
            // A newcomer starts level with the least served pool that has work, neither owed nor owing.
            var others = _pools.Values.Where(p => p.Activity == PoolActivity.Working).ToList();
            pool.Service = others.Count > 0 ? others.Min(p => p.Service) : 0;
        }
        else pool.IdleSince = DateTime.UtcNow;
        pool.Activity = activity;
        Rebalance();
    }

    private void Review()
    {
        Accrue();
        var now = DateTime.UtcNow;
        foreach (var pool in _pools.Values)
        {
            if (pool.Activity != PoolActivity.Idle || pool.Workers.Count == 0 || now - pool.IdleSince < _node.IdleChildTimeout) continue;
            _log.Info("Pool router {0} has been idle for {1}; stopping its {2} children", pool.Router.Path, _node.IdleChildTimeout, pool.Workers.Count);
            while (pool.Workers.Count > 0) Release(pool);
        }
        Rebalance();
    }

    /// <summary>Adds the slot time each pool with work had since the last look.</summary>
    private void Accrue()
    {
        var now = DateTime.UtcNow;
        var seconds = (now - _lastReview).TotalSeconds;
        _lastReview = now;
        foreach (var pool in _pools.Values)
            if (pool.Activity == PoolActivity.Working) pool.Service += pool.Workers.Count * seconds;
    }

    /// <summary>
    /// Moves slots towards the fair shares: free slots go to pools with work below their share; when none are free,
    /// workers of idle pools, then of pools above their share, drain and give theirs up (one per missing slot).
    /// </summary>
    private void Rebalance()
    {
        if (_state == HostState.Draining) return;
        var working = _pools.Values.Where(p => p.Activity == PoolActivity.Working).ToList();
        if (working.Count == 0) return;
        var shares = FairShare.Assign(_processes, working, p => p.Service, p => p.Workers.Count, p => p.Order, _node.ShareInterval.TotalSeconds);

        foreach (var (pool, share) in shares)
            while (pool.Workers.Count < share && FreeSlots > 0) Grant(pool);

        var missing = shares.Sum(s => Math.Max(0, s.Share - s.Pool.Workers.Count));
        var coming = _pools.Values.Sum(p => p.Releasing.Count) + FreeSlots;
        var toRelease = missing - coming;
        if (toRelease <= 0) return;
        var shareOf = shares.ToDictionary(s => s.Pool, s => s.Share);
        var donors = _pools.Values
            .Select(p => (Pool: p, Surplus: p.Workers.Count - shareOf.GetValueOrDefault(p)))
            .Where(d => d.Surplus > 0)
            .OrderBy(d => d.Pool.Activity == PoolActivity.Idle ? 0 : 1).ThenByDescending(d => d.Surplus)
            .ToList();
        foreach (var (pool, surplus) in donors)
            for (var i = 0; i < surplus && toRelease > 0; i++, toRelease--) Release(pool);
    }

    private void Grant(PoolEntry pool)
    {
        var worker = Context.ActorOf(WorkerActor.Props(pool.Router, pool.Settings));
        Context.Watch(worker);
        pool.Workers.Add(worker);
        _slotHolders[worker] = pool;
    }

    /// <summary>The pool's newest worker drains and gives up its slot once its child has exited.</summary>
    private void Release(PoolEntry pool)
    {
        var worker = pool.Workers[^1];
        pool.Workers.RemoveAt(pool.Workers.Count - 1);
        pool.Releasing.Add(worker);
        worker.Tell(new StopWorker(Graceful: true));
    }

    // ---- endings ---------------------------------------------------------------------------------------------

    private void OnTerminated(Terminated t)
    {
        if (_slotHolders.Remove(t.ActorRef, out var owner))
        {
            owner.Workers.Remove(t.ActorRef);
            owner.Releasing.Remove(t.ActorRef);
        }
        else if (_pools.Remove(t.ActorRef, out var pool))
        {
            _log.Info("Pool router {0} is gone; stopping its {1} workers", t.ActorRef.Path, pool.Held);
            foreach (var w in pool.Workers.Concat(pool.Releasing)) Context.Stop(w);
        }
        _waitingForAssemblies.Remove(t.ActorRef);
        CompleteDrainIfDone();
        Rebalance();
    }

    private void StartDrain()
    {
        _state = HostState.Draining;
        _drainRequester = Sender;
        foreach (var pool in _pools.Values)
            while (pool.Workers.Count > 0) Release(pool);
        CompleteDrainIfDone();
    }

    private void CompleteDrainIfDone()
    {
        if (_state != HostState.Draining || _slotHolders.Count > 0) return;
        _drainRequester?.Tell(Done.Instance);
        _drainRequester = null;
    }
}
