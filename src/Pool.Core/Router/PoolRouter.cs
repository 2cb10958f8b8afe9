using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using PoolCluster.Cluster;
using PoolCluster.WireFormat.Messages;
using PoolCluster.WireFormat.Values;
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

    public PoolRouter(RouterSetup setup)
    {
        _setup = setup;
        Running();
    }

    // ---- life stages: Running → Closing → Stopping → stopped; Running → Broken; any → Stopping by Terminate -------
    // Each stage says what it does with the messages where stages differ; the rest is shared (ReceiveWork,
    // ReceiveMembership).

    /// <summary>Takes submissions and dispatches them; a lost child's chunk may run again; lost local workers are replaced.</summary>
    private void Running()
    {
        Receive<Submit>(OnSubmit);
        Receive<ChunkLost>(m => OnChunkLost(m, mayRetry: true));
        Receive<InitializerFailed>(m => Break(InitializerError(m.Error)));
        Receive<WorkerStartFailed>(m =>
        {
            // Locally this pool cannot work at all; a remote worker that cannot start children is just one worker less.
            if (IsLocalChild(Sender)) Break(new WorkerLostException($"The pool cannot start worker processes: {m.Reason}"));
            else LogStartFailure(m);
        });
        Receive<ClosePool>(_ => BecomeClosing(NotRunning()));
        Receive<TerminatePool>(_ => Terminate());
        ReceiveMembership(attach: true, workerGone: w => OnWorkerGone(w, requeue: true, replaceLocal: true));
        ReceiveWork(afterOutcome: () => { });
    }

    /// <summary>The initializer failed or children cannot start: everything fails with <paramref name="reason"/>; the
    /// workers stay until the pool is closed or terminated.</summary>
    private void Broken(Exception reason)
    {
        Receive<Submit>(m => Refuse(m, reason));
        Receive<ChunkLost>(m => OnChunkLost(m, mayRetry: false));
        Receive<InitializerFailed>(_ => { });
        Receive<WorkerStartFailed>(m => { if (!IsLocalChild(Sender)) LogStartFailure(m); });
        Receive<ClosePool>(_ => BecomeClosing(reason));
        Receive<TerminatePool>(_ => Terminate(reason));
        ReceiveMembership(attach: true, workerGone: w => OnWorkerGone(w, requeue: false, replaceLocal: false));
        ReceiveWork(afterOutcome: () => { });
    }

    /// <summary>Python's close(): no new work, what is queued and in flight finishes, then the workers stop.</summary>
    private void Closing(Exception refusal)
    {
        Receive<Submit>(m => Refuse(m, refusal));
        Receive<ChunkLost>(m => { OnChunkLost(m, mayRetry: true); StopWorkersIfDone(refusal); });
        // Broken while closing: fail what is left, then stop as a closed pool does.
        Receive<InitializerFailed>(m => BreakWhileClosing(InitializerError(m.Error)));
        Receive<WorkerStartFailed>(m =>
        {
            if (IsLocalChild(Sender)) BreakWhileClosing(new WorkerLostException($"The pool cannot start worker processes: {m.Reason}"));
            else LogStartFailure(m);
        });
        Receive<ClosePool>(_ => { });
        Receive<TerminatePool>(_ => Terminate(refusal));
        ReceiveMembership(attach: false, workerGone: w =>
        {
            OnWorkerGone(w, requeue: true, replaceLocal: false);
            StopWorkersIfDone(refusal);
            StopSelfIfWorkersGone(); // no local worker left to finish the work (none is replaced while closing)
        });
        ReceiveWork(afterOutcome: () => StopWorkersIfDone(refusal));
    }

    /// <summary>The workers were told to stop (closed and done, or terminated); the router ends when its local ones
    /// have. Nothing is queued or in flight any more.</summary>
    private void Stopping(Exception refusal)
    {
        Receive<Submit>(m => Refuse(m, refusal));
        Receive<ChunkLost>(m => OnChunkLost(m, mayRetry: false));
        Receive<InitializerFailed>(_ => { });
        Receive<WorkerStartFailed>(m => { if (!IsLocalChild(Sender)) LogStartFailure(m); });
        Receive<ClosePool>(_ => { });
        Receive<TerminatePool>(_ => { foreach (var w in _workers) w.Tell(new StopWorker(Graceful: false)); });
        ReceiveMembership(attach: false, workerGone: w => { OnWorkerGone(w, requeue: false, replaceLocal: false); StopSelfIfWorkersGone(); });
        ReceiveWork(afterOutcome: () => { });
    }

    private void BreakWhileClosing(Exception reason)
    {
        FailAll(LogBroken(reason));
        BecomeClosing(reason);
    }

    private void BecomeClosing(Exception refusal)
    {
        Become(() => Closing(refusal));
        StopWorkersIfDone(refusal);
    }

    private static InvalidOperationException NotRunning() => new("Pool not running");

    private static PoolInitializerException InitializerError(ErrorInfo error) => new(
        $"The pool's initializer threw in a child process: {error.TypeName}: {error.Message}. " +
        "The pool cannot run tasks; every pending and later call fails with this error.", error.ToException());

    private void LogStartFailure(WorkerStartFailed m) =>
        _log.Error("Worker {0} cannot start child processes and stops: {1}", Sender.Path, m.Reason);

    /// <summary>What every stage does alike: workers ask, answer and hand back; outcomes reach their job once.</summary>
    private void ReceiveWork(Action afterOutcome)
    {
        Receive<RequestWork>(m => OnRequestWork(Sender, m.Count));
        Receive<ChunkCompleted>(m => { Deliver(m); afterOutcome(); });
        Receive<ChunksCompleted>(m =>
        {
            foreach (var c in m.Completed) Deliver(c);
            afterOutcome();
        });
        Receive<ChunkFailed>(m =>
        {
            Complete(m.TaskId, item =>
            {
                _book.Failed(item, m.Error);
                item.Sink.OnFailure(item.ChunkIndex, m.Error.ToException());
            });
            afterOutcome();
        });
        Receive<WorkerDraining>(m => OnDraining(Sender, m.ReturnedTaskIds));
        Receive<WorkReturned>(m => OnWorkReturned(Sender, m.TaskIds));
        Receive<CancelJob>(m => { CancelJobWork(m.JobId); afterOutcome(); });
        Receive<Attached>(m => OnAttached(Sender, m.Workers));
        Receive<NeedAssemblies>(m => SendAssemblies(Sender, m.Mvids));
        Receive<CheckNoWorkers>(_ => FailIfStillNoWorkers());
        Receive<ReportIdle>(_ => ReportActivity(idleNow: true));
    }

    /// <summary>Cluster membership: nodes lost take their workers with them; <paramref name="attach"/>: join new nodes.</summary>
    private void ReceiveMembership(bool attach, Action<IActorRef> workerGone)
    {
        Receive<Terminated>(m => workerGone(m.ActorRef));
        Receive<ClusterEvent.MemberUp>(m => { if (attach) Attach(m.Member); });
        Receive<ClusterEvent.ReachableMember>(m => { _unreachable.Remove(m.Member.Address); if (attach) Attach(m.Member); });
        Receive<ClusterEvent.UnreachableMember>(m => NodeLost(m.Member.Address, NodeLoss.Unreachable, workerGone));
        Receive<ClusterEvent.MemberRemoved>(m => { NodeLost(m.Member.Address, NodeLoss.Removed, workerGone); _unreachable.Remove(m.Member.Address); });
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<RetryAttach>(m => { if (attach) RetryAttachTo(m.Node); });
    }

    // Every message may change whether the pool has work (worker nodes share their processes by it) and what the
    // dashboard shows of it.
    protected override bool AroundReceive(Receive receive, object message)
    {
        var handled = base.AroundReceive(receive, message);
        if (_hosts.Count > 0) ReportActivity(idleNow: false);
        RecordCounts();
        return handled;
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
        _setup.Stats.SetWorkers(_workers.Count - _draining.Count);
    }

    private bool IsLocalChild(IActorRef worker) => worker.Path.Parent.Equals(Self.Path);

    // ---- work ------------------------------------------------------------------------------------------------

    private static void Refuse(Submit submit, Exception refusal)
    {
        foreach (var item in submit.Items) item.Sink.OnFailure(item.ChunkIndex, refusal);
    }

    private void OnSubmit(Submit submit)
    {
        foreach (var item in submit.Items) _queue.AddLast(item);
        RecordSubmitted(submit.Items);
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
        if (!TakeInFlight(m.TaskId, ran: true, out var entry)) return;
        _book.Succeeded(entry.Item, m.Payload);
        entry.Item.Sink.OnResult(entry.Item.ChunkIndex, m.Payload);
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
        if (TakeInFlight(taskId, ran: true, out var entry)) deliver(entry.Item);
    }

    private void OnChunkLost(ChunkLost lost, bool mayRetry)
    {
        if (!_inFlight.TryGetValue(lost.TaskId, out var entry)) return;
        var item = entry.Item;
        if (mayRetry && item.ChildLosses < _setup.Settings.ChildLossRetries)
        {
            TakeInFlight(lost.TaskId, ran: true, out _);
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
        _board.Remove(worker);
        _setup.Stats.SetWorkers(_workers.Count - _draining.Count);
        var requeued = Requeue(returned);
        if (requeued > 0) _log.Info("Worker {0} is leaving; {1} chunks it held go to other workers", worker.Path, requeued);
        Dispatch();
    }

    /// <summary>A worker is gone (stopped, its node lost): its in-flight work goes back to the queue (when
    /// <paramref name="requeue"/>), bounded by MaxRetries; a local one is replaced when <paramref name="replaceLocal"/>.</summary>
    private void OnWorkerGone(IActorRef worker, bool requeue, bool replaceLocal)
    {
        var wasKnown = _workers.Remove(worker);
        _draining.Remove(worker);
        _board.Remove(worker);
        _setup.Stats.SetWorkers(_workers.Count - _draining.Count);
        var lost = _inFlight.Where(kv => kv.Value.Worker.Equals(worker)).Select(kv => kv.Key).ToList();
        var again = new List<WorkItem>();
        foreach (var taskId in lost)
        {
            _inFlight.Remove(taskId, out var entry);
            var item = entry!.Item;
            if (!requeue) continue;
            if (++item.Retries > _setup.Settings.MaxRetries)
            {
                Fail(item, new WorkerLostException(
                    $"{item.Description} was lost with its worker {item.Retries} times (MaxRetries = {_setup.Settings.MaxRetries}); giving up.", item.Description));
                continue;
            }
            again.Add(item);
        }
        if (again.Count > 0)
        {
            _log.Warning("Worker {0} was lost; dispatching {1} chunks again", worker.Path, again.Count);
            Metrics.PoolMetrics.Retried.Add(again.Count);
        }
        for (var i = again.Count - 1; i >= 0; i--) _queue.AddFirst(again[i]);
        if (wasKnown && IsLocalChild(worker) && replaceLocal) StartLocalWorker();
        Dispatch();
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
        if (_attached.Contains(node) || _setup.Cluster is not { } cluster) return;
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

    private void NodeLost(Address node, NodeLoss why, Action<IActorRef> workerGone)
    {
        _attached.Remove(node);
        _hosts.Remove(node);
        Timers.Cancel(("attach", node));
        if (!_unreachable.Add(node) && why != NodeLoss.Removed) return;
        var gone = _workers.Where(w => w.Path.Address.Equals(node)).ToList();
        if (gone.Count > 0) _log.Warning("Worker node {0} is {1}: its {2} workers are lost", node, why.Describe(), gone.Count);
        foreach (var w in gone) workerGone(w);
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
        FailAll(LogBroken(reason));
        Become(() => Broken(reason));
    }

    private Exception LogBroken(Exception reason)
    {
        _log.Error(reason, "The pool is broken");
        return reason;
    }

    private void FailAll(Exception reason)
    {
        foreach (var item in _queue) Fail(item, reason);
        _queue.Clear();
        foreach (var entry in _inFlight.Values) Fail(entry.Item, reason);
        _inFlight.Clear();
        _board.ClearInFlight();
    }

    /// <summary>
    /// The one way a job is cancelled (by its caller, a dropped Imap consumer, or an operator): its queued chunks are
    /// dropped; workers holding its chunks (local or on any node) drop theirs and cancel the running ones in their
    /// children. Every chunk of the job fails with <see cref="OperationCanceledException"/> at once, so its caller's
    /// result completes now, and late answers are dropped as unknown. Other jobs are untouched.
    /// </summary>
    private void CancelJobWork(long jobId)
    {
        var cancelled = new OperationCanceledException($"Job {jobId} was cancelled.");
        var dropped = new List<WorkItem>();
        for (var node = _queue.First; node is not null;)
        {
            var next = node.Next;
            if (node.Value.JobId == jobId)
            {
                dropped.Add(node.Value);
                _queue.Remove(node);
            }
            node = next;
        }
        foreach (var group in _inFlight.Where(kv => kv.Value.Item.JobId == jobId).GroupBy(kv => kv.Value.Worker).ToList())
        {
            var taskIds = group.Select(kv => kv.Key).ToList();
            foreach (var taskId in taskIds)
                if (TakeInFlight(taskId, ran: false, out var entry)) dropped.Add(entry.Item);
            group.Key.Tell(new CancelTasks(taskIds));
        }
        RecordCancelled(dropped);
        foreach (var item in dropped) item.Sink.OnFailure(item.ChunkIndex, cancelled);
    }

    /// <summary>Python's terminate(): fail what is outstanding, kill the children now; later calls fail with
    /// <paramref name="refusal"/> (the broken pool's reason, or "not running").</summary>
    private void Terminate(Exception? refusal = null)
    {
        FailAll(new InvalidOperationException("Pool not running: it was terminated before the task finished"));
        foreach (var w in _workers) w.Tell(new StopWorker(Graceful: false));
        Become(() => Stopping(refusal ?? NotRunning()));
        StopSelfIfWorkersGone();
    }

    /// <summary>Closing and nothing left to run: the workers stop gracefully.</summary>
    private void StopWorkersIfDone(Exception refusal)
    {
        if (_queue.Count > 0 || _inFlight.Count > 0) return;
        foreach (var w in _workers) w.Tell(new StopWorker(Graceful: true));
        Become(() => Stopping(refusal));
        StopSelfIfWorkersGone();
    }

    private void StopSelfIfWorkersGone()
    {
        // Remote workers stop themselves when this router goes; only local ones are waited for.
        if (!_workers.Any(IsLocalChild)) Context.Stop(Self);
    }
}
