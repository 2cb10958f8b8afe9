using Akka.Actor;
using Akka.Event;
using PoolCluster.Protocol;
using PoolCluster.Worker;

namespace PoolCluster.Router;

/// <summary>
/// Queues a pool's chunks and hands them to workers that ask for work (pulling, never pushing), tracks what is in
/// flight where, and turns every outcome into exactly one sink call. Work of a worker that disappears is dispatched
/// again (bounded by MaxRetries); a child that dies mid-task fails that task with <see cref="WorkerLostException"/>.
/// </summary>
internal sealed class PoolRouter : ReceiveActor
{
    private sealed record InFlight(WorkItem Item, IActorRef Worker);

    private readonly PoolSettings _settings;
    private readonly WorkerSettings? _localWorkers;
    private readonly TaskCompletionSource _stopped;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly LinkedList<WorkItem> _queue = new();
    private readonly Dictionary<long, InFlight> _inFlight = new();
    private readonly Queue<IActorRef> _demand = new();   // one entry per chunk of room a worker asked for
    private readonly HashSet<IActorRef> _workers = [];
    private long _nextTaskId;
    private Exception? _broken;
    private bool _closing;
    private bool _terminating;

    public PoolRouter(PoolSettings settings, WorkerSettings? localWorkers, TaskCompletionSource stopped)
    {
        _settings = settings;
        _localWorkers = localWorkers;
        _stopped = stopped;

        Receive<Submit>(OnSubmit);
        Receive<RequestWork>(m => OnRequestWork(Sender, m.Count));
        Receive<ChunkCompleted>(m => Complete(m.TaskId, item => item.Sink.OnResult(item.ChunkIndex, m.Payload)));
        Receive<ChunkFailed>(m => Complete(m.TaskId, item => item.Sink.OnFailure(item.ChunkIndex, m.Error.ToException())));
        Receive<ChunkLost>(m => Complete(m.TaskId, item => item.Sink.OnFailure(item.ChunkIndex,
            new WorkerLostException(m.Reason, item.Description, m.ExitCode, m.Signal))));
        Receive<InitializerFailed>(m => Break(new PoolInitializerException(
            $"The pool's initializer threw in a child process: {m.Error.TypeName}: {m.Error.Message}. " +
            "The pool cannot run tasks; every pending and later call fails with this error.", m.Error.ToException())));
        Receive<WorkerStartFailed>(m => Break(new WorkerLostException($"The pool cannot start worker processes: {m.Reason}")));
        Receive<CancelJob>(m => RemoveQueued(i => i.JobId == m.JobId));
        Receive<ClosePool>(_ => { _closing = true; StopWorkersIfDone(); });
        Receive<TerminatePool>(_ => Terminate());
        Receive<GetWorkerCount>(_ => Sender.Tell(_workers.Count));
        Receive<Terminated>(m => OnWorkerGone(m.ActorRef));
    }

    public static Props Props(PoolSettings settings, WorkerSettings? localWorkers, TaskCompletionSource stopped) =>
        Akka.Actor.Props.Create(() => new PoolRouter(settings, localWorkers, stopped));

    // A failing local worker is replaced rather than restarted, so that its in-flight work is accounted for.
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    protected override void PreStart()
    {
        if (_localWorkers is null) return;
        for (var i = 0; i < _settings.Processes; i++) StartLocalWorker();
    }

    protected override void PostStop()
    {
        FailAll(new InvalidOperationException("Pool not running"));
        _stopped.TrySetResult();
    }

    private void StartLocalWorker()
    {
        var worker = Context.ActorOf(WorkerActor.Props(Self, _localWorkers!));
        _workers.Add(worker);
        Context.Watch(worker);
    }

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
    }

    private void OnRequestWork(IActorRef worker, int count)
    {
        if (_workers.Add(worker)) Context.Watch(worker);
        for (var i = 0; i < count; i++) _demand.Enqueue(worker);
        Dispatch();
    }

    private void Dispatch()
    {
        while (_queue.First is { } node && _demand.TryDequeue(out var worker))
        {
            if (!_workers.Contains(worker)) continue;
            var item = node.Value;
            _queue.RemoveFirst();
            item.TaskId = ++_nextTaskId;
            _inFlight[item.TaskId] = new InFlight(item, worker);
            worker.Tell(new TaskChunk(item.TaskId, item.Function, item.Payload, item.Description));
        }
    }

    private void Complete(long taskId, Action<WorkItem> deliver)
    {
        // Unknown ids are late duplicates (the task was re-dispatched or the job failed): each result is seen once.
        if (!_inFlight.Remove(taskId, out var entry)) return;
        deliver(entry.Item);
        StopWorkersIfDone();
    }

    private void OnWorkerGone(IActorRef worker)
    {
        _workers.Remove(worker);
        var lost = _inFlight.Where(kv => kv.Value.Worker.Equals(worker)).Select(kv => kv.Key).ToList();
        foreach (var taskId in lost)
        {
            _inFlight.Remove(taskId, out var entry);
            var item = entry!.Item;
            if (_terminating || _broken is not null) continue;
            if (++item.Retries > _settings.MaxRetries)
            {
                item.Sink.OnFailure(item.ChunkIndex, new WorkerLostException(
                    $"{item.Description} was lost with its worker {item.Retries} times (MaxRetries = {_settings.MaxRetries}); giving up.", item.Description));
                continue;
            }
            _log.Warning("Worker {0} was lost; dispatching {1} again (retry {2} of {3})", worker.Path, item.Description, item.Retries, _settings.MaxRetries);
            _queue.AddFirst(item);
        }
        if (_localWorkers is not null && !_closing && !_terminating && _broken is null) StartLocalWorker();
        Dispatch();
        StopSelfIfWorkersGone();
    }

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
        if ((_closing || _terminating) && _workers.Count == 0) Context.Stop(Self);
    }
}
