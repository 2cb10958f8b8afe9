using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using PoolCluster.Cluster;
using PoolCluster.Protocol;
using PoolCluster.Worker;

namespace PoolCluster.Router;

/// <summary>
/// Queues a pool's chunks and hands them to workers that ask for work (pulling, never pushing), tracks what is in
/// flight where, and turns every outcome into exactly one sink call. Work of a worker that disappears (its node
/// became unreachable, left or died) is dispatched again, bounded by MaxRetries; a child that dies mid-task fails that
/// task with <see cref="WorkerLostException"/>. In a cluster it attaches to every member with the worker role as it
/// joins, so the pool grows while a job runs.
/// </summary>
internal sealed partial class PoolRouter : ReceiveActor, IWithTimers
{
    private sealed record InFlight(WorkItem Item, IActorRef Worker);
    private sealed record RetryAttach(Address Node);
    private sealed record CheckNoWorkers;

    private readonly RouterSetup _setup;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly LinkedList<WorkItem> _queue = new();
    private readonly Dictionary<long, InFlight> _inFlight = new();
    private readonly Queue<IActorRef> _demand = new();   // one entry per chunk of room a worker asked for
    private readonly HashSet<IActorRef> _workers = [];
    private readonly HashSet<IActorRef> _draining = [];
    private readonly HashSet<Address> _unreachable = [];
    private readonly HashSet<Address> _attached = [];
    private long _nextTaskId;
    private Exception? _broken;
    private bool _closing;
    private bool _terminating;

    public PoolRouter(RouterSetup setup)
    {
        _setup = setup;

        Receive<Submit>(OnSubmit);
        Receive<RequestWork>(m => OnRequestWork(Sender, m.Count));
        Receive<ChunkCompleted>(m =>
        {
            Deliver(m);
            StopWorkersIfDone();
        });
        Receive<ChunksCompleted>(m =>
        {
            foreach (var c in m.Completed) Deliver(c);
            StopWorkersIfDone();
        });
        Receive<ChunkFailed>(m => Complete(m.TaskId, item =>
        {
            _book.Failed(item, m.Error);
            item.Sink.OnFailure(item.ChunkIndex, m.Error.ToException());
        }));
        Receive<ChunkLost>(OnChunkLost);
        Receive<WorkerDraining>(m => OnDraining(Sender, m.ReturnedTaskIds));
        Receive<InitializerFailed>(m => Break(new PoolInitializerException(
            $"The pool's initializer threw in a child process: {m.Error.TypeName}: {m.Error.Message}. " +
            "The pool cannot run tasks; every pending and later call fails with this error.", m.Error.ToException())));
        Receive<WorkerStartFailed>(m =>
        {
            // Locally this pool cannot work at all; a remote worker that cannot start children is just one worker less.
            if (IsLocalChild(Sender)) Break(new WorkerLostException($"The pool cannot start worker processes: {m.Reason}"));
            else _log.Error("Worker {0} cannot start child processes and stops: {1}", Sender.Path, m.Reason);
        });
        Receive<CancelJob>(m => CancelQueued(m.JobId));
        Receive<ClosePool>(_ => { _closing = true; StopWorkersIfDone(); });
        Receive<TerminatePool>(_ => Terminate());
        Receive<Terminated>(m => OnWorkerGone(m.ActorRef));

        // cluster membership
        Receive<ClusterEvent.MemberUp>(m => Attach(m.Member));
        Receive<ClusterEvent.ReachableMember>(m => { _unreachable.Remove(m.Member.Address); Attach(m.Member); });
        Receive<ClusterEvent.UnreachableMember>(m => NodeLost(m.Member.Address, "unreachable"));
        Receive<ClusterEvent.MemberRemoved>(m => { NodeLost(m.Member.Address, "removed from the cluster"); _unreachable.Remove(m.Member.Address); });
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<RetryAttach>(m => RetryAttachTo(m.Node));
        Receive<Attached>(m => OnAttached(Sender, m.Workers));
        Receive<NeedAssemblies>(m => SendAssemblies(Sender, m.Mvids));
        Receive<CheckNoWorkers>(_ => FailIfStillNoWorkers());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(RouterSetup setup) => Akka.Actor.Props.Create(() => new PoolRouter(setup));

    // A failing local worker is replaced rather than restarted, so that its in-flight work is accounted for.
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    protected override void PreStart()
    {
        StartStatus();
        for (var i = 0; i < _setup.LocalWorkers; i++) StartLocalWorker();
        if (_setup.Cluster is not null)
            Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
                typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
    }

    protected override void PostStop()
    {
        StopStatus();
        if (_setup.Cluster is not null) Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
        FailAll(new InvalidOperationException("Pool not running"));
        _setup.Stopped.TrySetResult();
    }

    private void StartLocalWorker()
    {
        var worker = Context.ActorOf(WorkerActor.Props(Self, _setup.Workers, _setup.Children));
        AddWorker(worker);
    }

    private void AddWorker(IActorRef worker)
    {
        if (!_workers.Add(worker)) return;
        Context.Watch(worker);
        _setup.Stats.SetWorkers(_workers.Count);
    }

    private bool IsLocalChild(IActorRef worker) => worker.Path.Parent.Equals(Self.Path);

    // ---- work ------------------------------------------------------------------------------------------------

    private void OnSubmit(Submit submit)
    {
        var refusal = _broken ?? (_closing || _terminating ? new InvalidOperationException("Pool not running") : null);
        if (refusal is not null)
        {
            foreach (var item in submit.Items) item.Sink.OnFailure(item.ChunkIndex, refusal);
            return;
        }
        foreach (var item in submit.Items) _queue.AddLast(item);
        RecordSubmitted(submit.Items);
        Dispatch();
        ArmNoWorkersCheck();
    }

    private void OnRequestWork(IActorRef worker, int count)
    {
        if (_unreachable.Contains(worker.Path.Address) || _draining.Contains(worker)) return;
        AddWorker(worker);
        for (var i = 0; i < count; i++) _demand.Enqueue(worker);
        Dispatch();
    }

    // Unknown ids are late duplicates (the task was re-dispatched or the job failed): each result is seen once.
    private void Deliver(ChunkCompleted m)
    {
        if (!_inFlight.Remove(m.TaskId, out var entry)) return;
        _book.Succeeded(entry.Item, m.Payload);
        entry.Item.Sink.OnResult(entry.Item.ChunkIndex, m.Payload);
    }

    private void Dispatch()
    {
        // Chunks for the same worker in one pass travel as one message: across the network, a message costs far more
        // than its bytes.
        Dictionary<IActorRef, List<TaskChunk>>? batches = null;
        while (_queue.First is { } node && _demand.TryDequeue(out var worker))
        {
            if (!_workers.Contains(worker) || _draining.Contains(worker)) continue;
            var item = node.Value;
            _queue.RemoveFirst();
            item.TaskId = ++_nextTaskId;
            _inFlight[item.TaskId] = new InFlight(item, worker);
            batches ??= new Dictionary<IActorRef, List<TaskChunk>>();
            if (!batches.TryGetValue(worker, out var list)) batches[worker] = list = [];
            list.Add(new TaskChunk(item.TaskId, item.Function, item.Payload, item.Description) { FirstItem = item.FirstItem });
        }
        if (batches is null) return;
        foreach (var (worker, chunks) in batches)
            worker.Tell(chunks.Count == 1 ? chunks[0] : new TaskChunks(chunks));
    }

    private void Complete(long taskId, Action<WorkItem> deliver)
    {
        // Unknown ids are late duplicates (the task was re-dispatched or the job failed): each result is seen once.
        if (!_inFlight.Remove(taskId, out var entry)) return;
        deliver(entry.Item);
        StopWorkersIfDone();
    }

    private void OnChunkLost(ChunkLost lost)
    {
        if (!_inFlight.TryGetValue(lost.TaskId, out var entry)) return;
        var item = entry.Item;
        if (item.ChildLosses < _setup.Settings.ChildLossRetries && !_terminating && _broken is null)
        {
            _inFlight.Remove(lost.TaskId);
            item.ChildLosses++;
            _log.Warning("{0}; running it again (child loss {1} of {2})", lost.Reason, item.ChildLosses, _setup.Settings.ChildLossRetries);
            _queue.AddFirst(item);
            Metrics.PoolMetrics.Retried.Add(1);
            Dispatch();
            return;
        }
        Complete(lost.TaskId, i => Fail(i, new WorkerLostException(lost.Reason, i.Description, lost.ExitCode, lost.Signal)));
    }

    private void OnDraining(IActorRef worker, IReadOnlyList<long> returned)
    {
        _draining.Add(worker);
        var requeue = new List<WorkItem>();
        foreach (var taskId in returned)
            if (_inFlight.Remove(taskId, out var entry)) requeue.Add(entry.Item);
        for (var i = requeue.Count - 1; i >= 0; i--) _queue.AddFirst(requeue[i]);
        if (requeue.Count > 0) _log.Info("Worker {0} is leaving; {1} chunks it held go to other workers", worker.Path, requeue.Count);
        Dispatch();
    }

    /// <summary>A worker is gone (stopped, its node lost): its in-flight work goes back to the queue, bounded by MaxRetries.</summary>
    private void OnWorkerGone(IActorRef worker)
    {
        var wasKnown = _workers.Remove(worker);
        _draining.Remove(worker);
        _setup.Stats.SetWorkers(_workers.Count);
        var lost = _inFlight.Where(kv => kv.Value.Worker.Equals(worker)).Select(kv => kv.Key).ToList();
        var requeue = new List<WorkItem>();
        foreach (var taskId in lost)
        {
            _inFlight.Remove(taskId, out var entry);
            var item = entry!.Item;
            if (_terminating || _broken is not null) continue;
            if (++item.Retries > _setup.Settings.MaxRetries)
            {
                Fail(item, new WorkerLostException(
                    $"{item.Description} was lost with its worker {item.Retries} times (MaxRetries = {_setup.Settings.MaxRetries}); giving up.", item.Description));
                continue;
            }
            requeue.Add(item);
        }
        if (requeue.Count > 0)
        {
            _log.Warning("Worker {0} was lost; dispatching {1} chunks again", worker.Path, requeue.Count);
            Metrics.PoolMetrics.Retried.Add(requeue.Count);
        }
        for (var i = requeue.Count - 1; i >= 0; i--) _queue.AddFirst(requeue[i]);
        if (wasKnown && IsLocalChild(worker) && !_closing && !_terminating && _broken is null) StartLocalWorker();
        Dispatch();
        StopWorkersIfDone();
        StopSelfIfWorkersGone();
        ArmNoWorkersCheck();
    }

    // ---- cluster ---------------------------------------------------------------------------------------------

    private void Attach(Member member)
    {
        var cluster = _setup.Cluster;
        if (cluster is null || member.Status != MemberStatus.Up || !member.HasRole(cluster.WorkerRole)) return;
        // A node that was unreachable and is back gets a fresh attach: its host renews its workers' demand.
        RetryAttachTo(member.Address);
    }

    private void RetryAttachTo(Address node)
    {
        if (_attached.Contains(node) || _closing || _terminating || _setup.Cluster is not { } cluster) return;
        var host = Context.ActorSelection(new RootActorPath(node) / "user" / cluster.NodeHostName);
        host.Tell(new AttachRouter(Self, _setup.Workers, AssemblyManifest.ForThisApp()));
        Timers.StartSingleTimer(("attach", node), new RetryAttach(node), cluster.AttachRetryInterval);
    }

    private void OnAttached(IActorRef host, int workers)
    {
        var node = host.Path.Address;
        if (_attached.Add(node)) _log.Info("Worker node {0} gives this pool {1} workers", node, workers);
        Timers.Cancel(("attach", node));
    }

    private void SendAssemblies(IActorRef host, IReadOnlyList<Guid> mvids)
    {
        var files = new List<ShippedAssembly>();
        foreach (var mvid in mvids)
        {
            if (AssemblyManifest.PathOf(mvid) is not { } path) continue;
            files.Add(new ShippedAssembly(Path.GetFileName(path), mvid, File.ReadAllBytes(path)));
        }
        _log.Info("Shipping {0} assemblies ({1:N0} bytes) to worker node {2}", files.Count, files.Sum(f => (long)f.Bytes.Length), host.Path.Address);
        host.Tell(new AssemblyFiles(files));
    }

    private void NodeLost(Address node, string why)
    {
        _attached.Remove(node);
        Timers.Cancel(("attach", node));
        if (!_unreachable.Add(node) && why != "removed from the cluster") return;
        var gone = _workers.Where(w => w.Path.Address.Equals(node)).ToList();
        if (gone.Count > 0) _log.Warning("Worker node {0} is {1}: its {2} workers are lost", node, why, gone.Count);
        foreach (var w in gone) OnWorkerGone(w);
    }

    private void ArmNoWorkersCheck()
    {
        if (_setup.Cluster?.NoWorkersTimeout is not { } timeout || _workers.Count > 0 || _queue.Count == 0) return;
        if (!Timers.IsTimerActive("no-workers")) Timers.StartSingleTimer("no-workers", new CheckNoWorkers(), timeout);
    }

    private void FailIfStillNoWorkers()
    {
        if (_workers.Count > 0 || _queue.Count == 0) return;
        var error = new NoWorkersException(
            $"No worker joined the cluster within {_setup.Cluster!.NoWorkersTimeout!.Value.TotalSeconds:0.#} s " +
            $"(poolcluster.cluster.no-workers-timeout); start a worker node (Pool.Node) and submit again.");
        foreach (var item in _queue) Fail(item, error);
        _queue.Clear();
    }

    // ---- lifecycle -------------------------------------------------------------------------------------------

    private void Break(Exception reason)
    {
        if (_broken is not null) return;
        _broken = reason;
        _log.Error(reason, "The pool is broken");
        FailAll(reason);
    }

    private void FailAll(Exception reason)
    {
        foreach (var item in _queue) Fail(item, reason);
        _queue.Clear();
        foreach (var entry in _inFlight.Values) Fail(entry.Item, reason);
        _inFlight.Clear();
    }

    private void RemoveQueued(Func<WorkItem, bool> predicate)
    {
        for (var node = _queue.First; node is not null;)
        {
            var next = node.Next;
            if (predicate(node.Value)) _queue.Remove(node);
            node = next;
        }
    }

    private void Terminate()
    {
        _terminating = true;
        FailAll(new InvalidOperationException("Pool not running: it was terminated before the task finished"));
        foreach (var w in _workers) w.Tell(new StopWorker(Graceful: false));
        StopSelfIfWorkersGone();
    }

    private void StopWorkersIfDone()
    {
        if (!_closing || _terminating || _queue.Count > 0 || _inFlight.Count > 0) return;
        foreach (var w in _workers) w.Tell(new StopWorker(Graceful: true));
        StopSelfIfWorkersGone();
    }

    private void StopSelfIfWorkersGone()
    {
        // Remote workers stop themselves when this router goes; only local ones are waited for.
        if ((_closing || _terminating) && !_workers.Any(IsLocalChild)) Context.Stop(Self);
    }
}
