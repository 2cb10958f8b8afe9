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
internal sealed class PoolRouter : ReceiveActor, IWithTimers
{
    private sealed record InFlight(WorkItem Item, IActorRef Worker);
    private sealed record RetryAttach(Address Node);
    private sealed record CheckNoWorkers;
    private sealed record ReportIdle;

    // The pool counts as idle for worker nodes only after this quiet spell, so a caller's next Apply does not cost two
    // remote messages per node, and a Map's last chunks do not give the slots away while results travel.
    private static readonly TimeSpan IdleReportDelay = TimeSpan.FromMilliseconds(200);

    private readonly RouterSetup _setup;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly LinkedList<WorkItem> _queue = new();
    private readonly Dictionary<long, InFlight> _inFlight = new();
    private readonly DispatchBoard _board = new();
    private readonly HashSet<IActorRef> _workers = [];
    private readonly HashSet<IActorRef> _draining = [];
    private readonly HashSet<Address> _unreachable = [];
    private readonly HashSet<Address> _attached = [];
    private readonly Dictionary<Address, IActorRef> _hosts = new(); // node hosts this pool is attached to
    private PoolActivity _reportedActivity = PoolActivity.Idle;
    private long _lastWorking; // when a message last left the pool with work (Stopwatch timestamp)
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
        Receive<ChunkFailed>(m => Complete(m.TaskId, item => item.Sink.OnFailure(item.ChunkIndex, m.Error.ToException())));
        Receive<ChunkLost>(OnChunkLost);
        Receive<WorkerDraining>(m => OnDraining(Sender, m.ReturnedTaskIds));
        Receive<WorkReturned>(m => OnWorkReturned(Sender, m.TaskIds));
        Receive<InitializerFailed>(m => Break(new PoolInitializerException(
            $"The pool's initializer threw in a child process: {m.Error.TypeName}: {m.Error.Message}. " +
            "The pool cannot run tasks; every pending and later call fails with this error.", m.Error.ToException())));
        Receive<WorkerStartFailed>(m =>
        {
            // Locally this pool cannot work at all; a remote worker that cannot start children is just one worker less.
            if (IsLocalChild(Sender)) Break(new WorkerLostException($"The pool cannot start worker processes: {m.Reason}"));
            else _log.Error("Worker {0} cannot start child processes and stops: {1}", Sender.Path, m.Reason);
        });
        Receive<CancelJob>(m => RemoveQueued(i => i.JobId == m.JobId));
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
        Receive<ReportIdle>(_ => ReportActivity(idleNow: true));
    }

    // Every message may change whether the pool has work; worker nodes share their processes by it.
    protected override bool AroundReceive(Receive receive, object message)
    {
        var handled = base.AroundReceive(receive, message);
        if (_hosts.Count > 0) ReportActivity(idleNow: false);
        return handled;
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(RouterSetup setup) => Akka.Actor.Props.Create(() => new PoolRouter(setup));

    // A failing local worker is replaced rather than restarted, so that its in-flight work is accounted for.
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    protected override void PreStart()
    {
        for (var i = 0; i < _setup.LocalWorkers; i++) StartLocalWorker();
        if (_setup.Cluster is not null)
            Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
                typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
    }

    protected override void PostStop()
    {
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
        _setup.Stats.SetWorkers(_workers.Count - _draining.Count);
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
        Dispatch();
        ArmNoWorkersCheck();
    }

    private void OnRequestWork(IActorRef worker, int count)
    {
        if (_unreachable.Contains(worker.Path.Address) || _draining.Contains(worker)) return;
        AddWorker(worker);
        _board.AddDemand(worker, count);
        Dispatch();
    }

    // Unknown ids are late duplicates (the task was re-dispatched or the job failed): each result is seen once.
    private void Deliver(ChunkCompleted m)
    {
        if (TakeInFlight(m.TaskId, ran: true, out var entry)) entry.Item.Sink.OnResult(entry.Item.ChunkIndex, m.Payload);
    }

    /// <summary>Removes a dispatched chunk from the books (its worker no longer holds it); false for unknown ids.</summary>
    private bool TakeInFlight(long taskId, bool ran, out InFlight entry)
    {
        if (!_inFlight.Remove(taskId, out entry!)) return false;
        _board.Finished(entry.Worker, ran);
        return true;
    }

    private void Dispatch()
    {
        // Chunks for the same worker in one pass travel as one message: across the network, a message costs far more
        // than its bytes.
        Dictionary<IActorRef, List<TaskChunk>>? batches = null;
        while (_queue.First is { } node && _board.TakeFreest() is { } worker)
        {
            var item = node.Value;
            _queue.RemoveFirst();
            item.TaskId = ++_nextTaskId;
            _inFlight[item.TaskId] = new InFlight(item, worker);
            batches ??= new Dictionary<IActorRef, List<TaskChunk>>();
            if (!batches.TryGetValue(worker, out var list)) batches[worker] = list = [];
            list.Add(new TaskChunk(item.TaskId, item.Function, item.Payload, item.Description) { FirstItem = item.FirstItem });
        }
        if (batches is not null)
            foreach (var (worker, chunks) in batches)
                worker.Tell(chunks.Count == 1 ? chunks[0] : new TaskChunks(chunks));
        if (_queue.Count == 0 && _board.Steals() is { } steals)
            foreach (var (victim, count) in steals) victim.Tell(new ReturnWork(count));
    }

    /// <summary>A worker handed back chunks that never started (another worker was idle): they run next, elsewhere.</summary>
    private void OnWorkReturned(IActorRef worker, IReadOnlyList<long> returned)
    {
        _board.Answered(worker, returned.Count);
        Requeue(returned);
        Dispatch();
    }

    /// <summary>Puts chunks a worker handed back at the front of the queue, in their order.</summary>
    private int Requeue(IReadOnlyList<long> returned)
    {
        var requeue = new List<WorkItem>();
        foreach (var taskId in returned)
            if (TakeInFlight(taskId, ran: false, out var entry)) requeue.Add(entry.Item);
        for (var i = requeue.Count - 1; i >= 0; i--) _queue.AddFirst(requeue[i]);
        return requeue.Count;
    }

    private void Complete(long taskId, Action<WorkItem> deliver)
    {
        // Unknown ids are late duplicates (the task was re-dispatched or the job failed): each result is seen once.
        if (!TakeInFlight(taskId, ran: true, out var entry)) return;
        deliver(entry.Item);
        StopWorkersIfDone();
    }

    private void OnChunkLost(ChunkLost lost)
    {
        if (!_inFlight.TryGetValue(lost.TaskId, out var entry)) return;
        var item = entry.Item;
        if (item.ChildLosses < _setup.Settings.ChildLossRetries && !_terminating && _broken is null)
        {
            TakeInFlight(lost.TaskId, ran: true, out _);
            item.ChildLosses++;
            _log.Warning("{0}; running it again (child loss {1} of {2})", lost.Reason, item.ChildLosses, _setup.Settings.ChildLossRetries);
            _queue.AddFirst(item);
            Dispatch();
            return;
        }
        Complete(lost.TaskId, i => i.Sink.OnFailure(i.ChunkIndex, new WorkerLostException(lost.Reason, i.Description, lost.ExitCode, lost.Signal)));
    }

    private void OnDraining(IActorRef worker, IReadOnlyList<long> returned)
    {
        _draining.Add(worker);
        _board.Remove(worker);
        _setup.Stats.SetWorkers(_workers.Count - _draining.Count);
        var requeued = Requeue(returned);
        if (requeued > 0) _log.Info("Worker {0} is leaving; {1} chunks it held go to other workers", worker.Path, requeued);
        Dispatch();
    }

    /// <summary>A worker is gone (stopped, its node lost): its in-flight work goes back to the queue, bounded by MaxRetries.</summary>
    private void OnWorkerGone(IActorRef worker)
    {
        var wasKnown = _workers.Remove(worker);
        _draining.Remove(worker);
        _board.Remove(worker);
        _setup.Stats.SetWorkers(_workers.Count - _draining.Count);
        var lost = _inFlight.Where(kv => kv.Value.Worker.Equals(worker)).Select(kv => kv.Key).ToList();
        var requeue = new List<WorkItem>();
        foreach (var taskId in lost)
        {
            _inFlight.Remove(taskId, out var entry);
            var item = entry!.Item;
            if (_terminating || _broken is not null) continue;
            if (++item.Retries > _setup.Settings.MaxRetries)
            {
                item.Sink.OnFailure(item.ChunkIndex, new WorkerLostException(
                    $"{item.Description} was lost with its worker {item.Retries} times (MaxRetries = {_setup.Settings.MaxRetries}); giving up.", item.Description));
                continue;
            }
            requeue.Add(item);
        }
        if (requeue.Count > 0)
            _log.Warning("Worker {0} was lost; dispatching {1} chunks again", worker.Path, requeue.Count);
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
        _hosts[node] = host;
        if (_reportedActivity == PoolActivity.Working) host.Tell(new PoolActivityChanged(PoolActivity.Working));
    }

    /// <summary>
    /// Tells the worker nodes when the pool gets work (at once) and when it has none left (after a short quiet spell),
    /// so that a node gives each pool with work its fair share of its processes and lends an idle pool's to others.
    /// </summary>
    private void ReportActivity(bool idleNow)
    {
        if (_queue.Count > 0 || _inFlight.Count > 0)
        {
            // Busy pools pass here on every message: a timestamp, no timer churn.
            _lastWorking = System.Diagnostics.Stopwatch.GetTimestamp();
            if (_reportedActivity == PoolActivity.Working) return;
            _reportedActivity = PoolActivity.Working;
        }
        else
        {
            if (_reportedActivity == PoolActivity.Idle || Timers.IsTimerActive("report-idle")) return;
            var quiet = System.Diagnostics.Stopwatch.GetElapsedTime(_lastWorking);
            if (!idleNow || quiet < IdleReportDelay)
            {
                Timers.StartSingleTimer("report-idle", new ReportIdle(), idleNow ? IdleReportDelay - quiet : IdleReportDelay);
                return;
            }
            _reportedActivity = PoolActivity.Idle;
        }
        foreach (var host in _hosts.Values) host.Tell(new PoolActivityChanged(_reportedActivity));
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
        _hosts.Remove(node);
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
        foreach (var item in _queue) item.Sink.OnFailure(item.ChunkIndex, error);
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
        foreach (var item in _queue) item.Sink.OnFailure(item.ChunkIndex, reason);
        _queue.Clear();
        foreach (var entry in _inFlight.Values) entry.Item.Sink.OnFailure(entry.Item.ChunkIndex, reason);
        _inFlight.Clear();
        _board.ClearInFlight();
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
