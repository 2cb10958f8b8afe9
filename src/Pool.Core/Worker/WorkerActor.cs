using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using PoolCluster.ChildProcess;
using PoolCluster.Protocol;
using PoolCluster.Serialization;
using PoolCluster.Tasks;

namespace PoolCluster.Worker;

/// <summary>
/// One pool worker: supervises one child OS process at a time and pulls chunks from the router while it has room.
/// A dead child fails only the chunk it was running (<see cref="ChunkLost"/>); chunks queued behind it go to the
/// fresh child. With MaxTasksPerChild a standby child is started ahead of need, so recycling does not stall.
/// </summary>
internal sealed partial class WorkerActor : ReceiveActor, IChildListener, IWithTimers
{
    private const int MaxConsecutiveStartFailures = 3;

    private sealed record ChildFrame(ChildProcessHandle Child, Frame Frame);
    private sealed record ChildFrames(ChildProcessHandle Child, IReadOnlyList<Frame> Frames);
    private sealed record ChildEnded(ChildProcessHandle Child, ChildExit Exit);
    private sealed record ManagerAnswered(ChildProcessHandle Child, long CallId, byte[] Reply);
    private sealed record TaskDeadline(ChildProcessHandle Child);

    private readonly IActorRef _router;
    private readonly IActorRef _self; // the child's I/O threads have no actor context: they tell this reference
    private readonly WorkerSettings _settings;
    private readonly ChildGroup? _children; // the pool's children (killed and waited for when it terminates)
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Queue<TaskChunk> _pending = new();
    private readonly List<ChildSlot> _retiring = [];
    private ChildSlot? _current;
    private ChildSlot? _standby;
    private int _generation;
    private int _outstandingDemand;
    private double _averageRunMicros;
    private int _runSamples;
    private List<ChunkCompleted>? _completedBatch; // results of one pipe read, sent to the router as one message
    private int _startFailures;
    private bool _stopping;
    private bool _broken;

    public WorkerActor(IActorRef router, WorkerSettings settings, ChildGroup? children = null)
    {
        _router = router;
        _settings = settings;
        _children = children;
        _self = Self;

        Receive<TaskChunk>(chunk => Accept([chunk]));
        Receive<TaskChunks>(batch => Accept(batch.Chunks));
        Receive<ChildFrame>(m => OnChildFrame(m.Child, m.Frame));
        Receive<ChildFrames>(m =>
        {
            // One refill (and one RequestWork) for the whole batch rather than one per result.
            _completedBatch = [];
            try { foreach (var f in m.Frames) OnChildFrame(m.Child, f); }
            finally
            {
                var completed = _completedBatch;
                _completedBatch = null;
                if (completed.Count == 1) _router.Tell(completed[0]);
                else if (completed.Count > 1) _router.Tell(new ChunksCompleted(completed));
            }
            Pump();
        });
        Receive<ChildEnded>(m => OnChildEnded(m.Child, m.Exit));
        Receive<ManagerAnswered>(m => m.Child.Send(FrameType.ManagerResponse, m.CallId, 0, m.Reply, direct: true));
        Receive<TaskDeadline>(m => OnTaskDeadline(m.Child));
        Receive<StopWorker>(m => Stop(m.Graceful));
        Receive<ResetDemand>(_ =>
        {
            _outstandingDemand = 0;
            RequestMore();
        });
        StartStatus();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef router, WorkerSettings settings, ChildGroup? children = null) =>
        Akka.Actor.Props.Create(() => new WorkerActor(router, settings, children));

    protected override void PreStart()
    {
        _current = Spawn();
        if (_settings.MaxTasksPerChild > 0) _standby = Spawn();
        RequestMore();
    }

    protected override void PostStop()
    {
        StopStatus();
        foreach (var slot in AllSlots()) slot.Handle.Dispose();
    }

    // IChildListener: called on the child's I/O threads; everything is handed to the actor as a message.
    void IChildListener.OnFrame(ChildProcessHandle child, Frame frame) => _self.Tell(new ChildFrame(child, frame));
    void IChildListener.OnFrames(ChildProcessHandle child, IReadOnlyList<Frame> frames) => _self.Tell(new ChildFrames(child, frames));
    void IChildListener.OnExited(ChildProcessHandle child, ChildExit exit) => _self.Tell(new ChildEnded(child, exit));
    void IChildListener.OnOutput(ChildProcessHandle child, string line, bool isError)
    {
        if (isError) _log.Warning("[child {0}] {1}", child.Pid, line);
        else _log.Info("[child {0}] {1}", child.Pid, line);
    }

    private ChildSlot Spawn()
    {
        var handle = ChildProcessHandle.Start(++_generation, this, _settings.MaxFrameSize, _settings.ChildStartTimeout, _settings.ShippedAssemblyPaths, _children);
        var softMs = (int)Math.Min(int.MaxValue, _settings.SoftTaskTimeout?.TotalMilliseconds ?? 0);
        handle.Send(FrameType.Init, ChildLimits.Pack(_settings.MaxPayloadSize, _settings.MaxValueDepth), softMs, _settings.InitializerBody);
        if (handle.BoardProblem is { } problem)
            _log.Warning("No status board for child {0} ({1}): its deadlines and blame fall back to whole chunks", handle.Pid, problem);
        return new ChildSlot(handle);
    }

    private IEnumerable<ChildSlot> AllSlots()
    {
        if (_current is not null) yield return _current;
        if (_standby is not null) yield return _standby;
        foreach (var s in _retiring) yield return s;
    }

    private ChildSlot? Find(ChildProcessHandle child)
    {
        if (_current is { } c && ReferenceEquals(c.Handle, child)) return c;
        if (_standby is { } s && ReferenceEquals(s.Handle, child)) return s;
        foreach (var r in _retiring) if (ReferenceEquals(r.Handle, child)) return r;
        return null;
    }

    /// <summary>
    /// How many chunks to keep at this worker (queued in the child, waiting here, or asked for). Fast chunks are queued
    /// deeper, so one pipe write, one wake-up and one flush carry many of them; the depth is what fits in about 2 ms of
    /// the child's recent run time per chunk, so a chunk holds little work queued behind it, and slow chunks get the
    /// configured minimum. A slow chunk is seen at once (the average moves a fifth of the way per sample, so one long
    /// run pulls the depth down immediately).
    /// </summary>
    private int Depth
    {
        get
        {
            var min = _settings.ChunksInFlight;
            var max = Math.Max(min, _settings.MaxChunksInFlight);
            if (_runSamples < 4 || max == min) return min;
            return (int)Math.Clamp(QueueBudgetMicros / Math.Max(1.0, _averageRunMicros), min, max);
        }
    }

    private const double QueueBudgetMicros = 2000;

    private void RecordRunTime(int micros)
    {
        _averageRunMicros = _runSamples++ == 0 ? micros : _averageRunMicros + (micros - _averageRunMicros) * 0.2;
        // One long run is enough to stop queueing deep behind the next one.
        if (micros > _averageRunMicros) _averageRunMicros = Math.Max(_averageRunMicros, micros / 4.0);
    }

    private bool AtTaskLimit(ChildSlot slot) =>
        slot.RetireRequested || (_settings.MaxTasksPerChild > 0 && slot.Sent >= _settings.MaxTasksPerChild);

    private void Accept(IReadOnlyList<TaskChunk> chunks)
    {
        if (_stopping)
        {
            // Sent before the router learned that this worker drains (its children may already be exiting): hand back.
            _router.Tell(new WorkerDraining(chunks.Select(c => c.TaskId).ToList()));
            return;
        }
        _outstandingDemand = Math.Max(0, _outstandingDemand - chunks.Count);
        foreach (var chunk in chunks) _pending.Enqueue(chunk);
        Pump();
    }

    /// <summary>Moves pending chunks into the current child while it has room, recycling it at its task limit.</summary>
    private void Pump()
    {
        while (_current is { } slot && !_broken)
        {
            if (AtTaskLimit(slot))
            {
                if (slot.InFlight.Count > 0) break; // one child runs at a time: the successor waits for the last answer
                Retire(slot);
                continue;
            }
            if (_pending.Count == 0 || slot.InFlight.Count >= Depth) break;
            SendToChild(slot, _pending.Dequeue());
        }
        RequestMore();
    }

    private void SendToChild(ChildSlot slot, TaskChunk chunk)
    {
        // A child with nothing queued waits for this chunk: write it at once. Behind queued work, let the writer batch.
        var direct = slot.InFlight.Count == 0;
        if (slot.Functions.Add(chunk.Function.Id))
            slot.Handle.Send(FrameType.DefineFunction, chunk.Function.Id, 0, chunk.Function.Body, direct);
        slot.Handle.Send(FrameType.RunChunk, chunk.TaskId, chunk.Function.Id, chunk.Payload, direct);
        slot.InFlight.Enqueue(chunk);
        slot.Sent++;
        if (slot.InFlight.Count == 1)
        {
            slot.ProgressSince = Stopwatch.GetTimestamp();
            ArmDeadline(slot);
        }
    }

    // ---- hard deadline per item: one timer per child, re-armed from what the child's status board says ----------

    private void CancelDeadline(ChildSlot slot)
    {
        if (_settings.TaskTimeout is not null) Timers.Cancel(("deadline", slot.Handle.Generation));
    }

    /// <summary>Arms the child's deadline timer (unless armed) while it has work: it fires when the item running now
    /// could at the earliest pass its limit, and <see cref="OnTaskDeadline"/> looks again then.</summary>
    private void ArmDeadline(ChildSlot slot, TimeSpan? after = null)
    {
        // A child's own start (runtime, JIT, initializer) is not task time: no clock before it is ready.
        if (_settings.TaskTimeout is not { } limit || !slot.Ready || slot.InFlight.Count == 0) return;
        var key = ("deadline", slot.Handle.Generation);
        if (after is null && Timers.IsTimerActive(key)) return;
        Timers.StartSingleTimer(key, new TaskDeadline(slot.Handle), after ?? limit);
    }

    /// <summary>
    /// The board names the item running now and since when: past the limit, the child is killed for that item;
    /// otherwise the timer is set for that item's own limit. While no item of ours runs (between chunks, or no board),
    /// the clock runs from the worker's last sight of progress, so a child stuck outside user code is caught too.
    /// </summary>
    private void OnTaskDeadline(ChildProcessHandle child)
    {
        var slot = Find(child);
        if (slot is null || slot.InFlight.Count == 0 || _settings.TaskTimeout is not { } limit || slot.TimedOut is not null) return;
        var board = child.Board?.Read() ?? default;
        var running = board.State == ChildActivity.Running ? InFlightChunk(slot, board.TaskId) : null;
        var since = running is not null ? board.Since : Math.Max(board.Since, slot.ProgressSince);
        var left = limit - Stopwatch.GetElapsedTime(since);
        if (left > TimeSpan.Zero)
        {
            ArmDeadline(slot, left);
            return;
        }
        var culprit = running ?? slot.InFlight.Peek();
        int? item = running is not null ? board.Item : null;
        slot.TimedOut = (culprit.TaskId, item);
        var what = Describe(culprit, item);
        _log.Warning("{0} ran past its TaskTimeout of {1}; killing child {2}", what, limit, child.Pid);
        child.Kill($"{what} ran past its TaskTimeout");
    }

    private static TaskChunk? InFlightChunk(ChildSlot slot, long taskId)
    {
        foreach (var c in slot.InFlight) if (c.TaskId == taskId) return c;
        return null;
    }

    /// <summary>"item 7 of map job 3, chunk 1 (items 5..9)" when the item is known, else the chunk's description.</summary>
    private static string Describe(TaskChunk chunk, int? item) =>
        chunk.FirstItem is { } first && item is >= 0 ? $"item {first + item.Value} of {chunk.Description}" : chunk.Description;

    /// <summary>Celery's max-memory-per-child: a child whose resident memory grew past the limit is recycled.</summary>
    private void CheckMemory(ChildSlot slot)
    {
        if (_settings.MaxMemoryPerChild is not { } limit || slot.RetireRequested) return;
        var resident = ChildMemory.ResidentBytes(slot.Handle.Pid);
        if (resident <= limit) return;
        _log.Info("Child {0} uses {1:N0} bytes (limit {2:N0}); replacing it after its current tasks", slot.Handle.Pid, resident, limit);
        slot.RetireRequested = true;
        Metrics.PoolMetrics.ChildLost("memory");
    }

    private void Retire(ChildSlot slot)
    {
        slot.Handle.Shutdown();
        _retiring.Add(slot);
        _current = _standby ?? Spawn();
        _standby = _stopping ? null : Spawn();
    }

    private void RequestMore()
    {
        if (_stopping || _broken) return;
        var held = _pending.Count + (_current?.InFlight.Count ?? 0) + _outstandingDemand;
        var want = Depth - held;
        if (want <= 0) return;
        _outstandingDemand += want;
        _router.Tell(new RequestWork(want));
    }

    private void OnChildFrame(ChildProcessHandle child, Frame frame)
    {
        var slot = Find(child);
        if (slot is null) return; // a replaced child's late frame
        switch (frame.Type)
        {
            case FrameType.Hello:
                break;
            case FrameType.Ready:
                slot.Ready = true;
                Metrics.PoolMetrics.ChildStarted(child.Pid);
                _startFailures = 0;
                slot.ProgressSince = Stopwatch.GetTimestamp();
                ArmDeadline(slot);
                break;
            case FrameType.InitFailed:
                _broken = true;
                _router.Tell(new InitializerFailed(Wire.FromBytes<ErrorInfo>(frame.Payload)));
                break;
            case FrameType.ChunkResult:
            case FrameType.ChunkFailed:
                if (!slot.InFlight.TryDequeue(out var chunk) || chunk.TaskId != frame.Id)
                {
                    slot.Handle.Kill($"the child answered task {frame.Id} out of order");
                    return;
                }
                RecordAnswered(slot, frame.Type, frame.Aux);
                if (frame.Type == FrameType.ChunkResult)
                {
                    RecordRunTime(frame.Aux);
                    var completed = new ChunkCompleted(chunk.TaskId, frame.Payload);
                    if (_completedBatch is not null) _completedBatch.Add(completed);
                    else _router.Tell(completed);
                }
                else _router.Tell(new ChunkFailed(chunk.TaskId, Wire.FromBytes<ErrorInfo>(frame.Payload)));
                slot.ProgressSince = Stopwatch.GetTimestamp();
                if (slot.InFlight.Count == 0) CancelDeadline(slot);
                else ArmDeadline(slot);
                CheckMemory(slot);
                if (slot.InFlight.Count == 0 && _retiring.Contains(slot)) slot.Handle.Shutdown();
                if (_completedBatch is null) Pump(); // a batch of frames refills once, at its end
                CompleteStopIfIdle();
                break;
            case FrameType.ManagerRequest:
                ForwardToManager(slot, frame);
                break;
            default:
                slot.Handle.Kill($"unexpected frame {frame.Type} from the child");
                break;
        }
    }

    /// <summary>
    /// A shared-object call from user code in the child: forward it to the manager and pipe the answer back. The
    /// manager watches this worker, so locks held through it are released if this node dies.
    /// </summary>
    private void ForwardToManager(ChildSlot slot, Frame frame)
    {
        var child = slot.Handle;
        var timeout = TimeSpan.FromMilliseconds(Math.Max(1, frame.Aux));
        Manager.ManagerEnvelope envelope;
        try { envelope = Wire.FromBytes<Manager.ManagerEnvelope>(frame.Payload); }
        catch (Exception) { child.Kill("malformed shared-object call from the child"); return; }
        slot.Managers.Add(envelope.Manager);
        var target = Manager.ManagerResolver.Get(Context.System).Resolve(envelope.Manager);
        var callId = frame.Id;
        target.Ask<Manager.ManagerResult>(new Manager.ManagerRequestMessage(envelope.Call, Self.Path.ToStringWithAddress()), timeout)
            .ContinueWith(t => (object)new ManagerAnswered(child, callId, t.IsCompletedSuccessfully
                ? t.Result.Reply
                : Wire.ToBytes(new Manager.ManagerReply(null, ErrorInfo.From(new ManagerUnavailableException(
                    $"The manager ({envelope.Manager}) did not answer within {timeout.TotalSeconds:0.#} s", t.Exception?.GetBaseException()))))))
            .PipeTo(_self);
    }

    private void OnChildEnded(ChildProcessHandle child, ChildExit exit)
    {
        var slot = Find(child);
        if (slot is null) return;
        var board = child.Board?.Read() ?? default; // what it was running when it died; read before the board is released
        child.Dispose();
        var expected = _retiring.Contains(slot) || _stopping || (slot.RetireRequested && slot.InFlight.Count == 0);
        var failedChunks = slot.InFlight.Count > 0 ? 1 : 0; // BlameAndRequeue fails one chunk at most
        _retiring.Remove(slot);
        // Whatever the dead child held in shared objects (locks, semaphores) is released.
        foreach (var manager in slot.Managers)
            Manager.ManagerResolver.Get(Context.System).Resolve(manager).Tell(new Manager.HolderGone(Manager.PipeHolder.For(child.Pid)), ActorRefs.NoSender);

        Timers.Cancel(("deadline", child.Generation));
        BlameAndRequeue(slot, board, exit);
        RecordEnded(slot, exit, expected, failedChunks);

        // Killed from outside (kill -9, OOM killer, chaos) says nothing about whether children can start at all.
        var diedBeforeReady = !slot.Ready && exit.Signal is not (9 or 15);
        if (ReferenceEquals(slot, _current)) _current = null;
        if (ReferenceEquals(slot, _standby)) _standby = null;
        if (_stopping || _broken)
        {
            // No successor will start: what was queued behind the dead child goes back to the router.
            if (_stopping && _pending.Count > 0)
            {
                _router.Tell(new WorkerDraining(_pending.Select(c => c.TaskId).ToList()));
                _pending.Clear();
            }
            CompleteStopIfIdle();
            return;
        }

        if (diedBeforeReady && ++_startFailures >= MaxConsecutiveStartFailures)
        {
            _broken = true;
            _router.Tell(new WorkerStartFailed($"{MaxConsecutiveStartFailures} child processes in a row ended before they were ready; the last: {exit.Describe()}"));
            Context.Stop(Self);
            return;
        }
        _current ??= _standby ?? Spawn();
        if (ReferenceEquals(_current, _standby)) _standby = null;
        if (_settings.MaxTasksPerChild > 0 && _standby is null) _standby = Spawn();
        Pump();
    }

    /// <summary>
    /// A dead child fails only the chunk it was running, naming the item, as its status board says (with pipelining
    /// that need not be the oldest unanswered chunk). Chunks before it finished but their replies died with the
    /// child; chunks after it never started: both run again in the next child, first. A chunk killed for its deadline
    /// whose reply still made it is not failed at all.
    /// </summary>
    private void BlameAndRequeue(ChildSlot slot, BoardSnapshot board, ChildExit exit)
    {
        var pid = slot.Handle.Pid;
        if (slot.TimedOut is { } timedOut)
        {
            if (TakeFromInFlight(slot, timedOut.TaskId) is { } late)
                _router.Tell(new ChunkFailed(late.TaskId, ErrorInfo.From(new TaskTimeoutException(
                    $"{Describe(late, timedOut.Item)} ran longer than its TaskTimeout of {_settings.TaskTimeout}; its child process (pid {pid}) was killed and replaced."))));
        }
        else if (board.State == ChildActivity.Running && TakeFromInFlight(slot, board.TaskId) is { } running)
        {
            var what = Describe(running, board.Item);
            _log.Warning("Child {0} was lost while running {1}: {2}", pid, what, exit.Describe());
            _router.Tell(new ChunkLost(running.TaskId, $"the worker process (pid {pid}) running {what} died: {exit.Describe()}", exit.ExitCode, exit.Signal));
        }
        else if (slot.InFlight.TryDequeue(out var head))
        {
            // Not running user code (or no board): the oldest chunk it was given takes the blame, so that a child that
            // keeps dying between tasks cannot loop forever.
            var when = board.State == ChildActivity.Idle ? $"between tasks, with {head.Description} next" : $"running {head.Description}";
            _log.Warning("Child {0} was lost {1}: {2}", pid, when, exit.Describe());
            _router.Tell(new ChunkLost(head.TaskId, $"the worker process (pid {pid}) died {when}: {exit.Describe()}", exit.ExitCode, exit.Signal));
        }
        if (slot.InFlight.Count > 0) _log.Info("{0} chunks child {1} held (finished with their replies lost, or not started) run again in its successor", slot.InFlight.Count, pid);
        RequeueBehind(slot);
    }

    private static TaskChunk? TakeFromInFlight(ChildSlot slot, long taskId)
    {
        var found = InFlightChunk(slot, taskId);
        if (found is null) return null;
        var rest = slot.InFlight.Where(c => c.TaskId != taskId).ToList();
        slot.InFlight.Clear();
        foreach (var c in rest) slot.InFlight.Enqueue(c);
        return found;
    }

    /// <summary>What a lost child held and had not answered goes first to the next child, ahead of what waits here.</summary>
    private void RequeueBehind(ChildSlot slot)
    {
        var requeue = slot.InFlight.Concat(_pending).ToList();
        slot.InFlight.Clear();
        _pending.Clear();
        foreach (var c in requeue) _pending.Enqueue(c);
    }

    private void Stop(bool graceful)
    {
        _stopping = true;
        if (!graceful)
        {
            foreach (var slot in AllSlots()) slot.Handle.Kill("the pool was terminated");
            Context.Stop(Self);
            return;
        }
        // Hand back what never reached the child, so the router runs it elsewhere; finish what is in flight.
        _router.Tell(new WorkerDraining(_pending.Select(c => c.TaskId).ToList()));
        _pending.Clear();
        _standby?.Handle.Shutdown();
        CompleteStopIfIdle();
    }

    /// <summary>A stopping worker ends once nothing is pending or in flight and its children have exited.</summary>
    private void CompleteStopIfIdle()
    {
        if (!_stopping) return;
        if (_pending.Count > 0 || AllSlots().Any(s => s.InFlight.Count > 0)) return;
        foreach (var slot in AllSlots()) slot.Handle.Shutdown();
        if (_current is null && _standby is null && _retiring.Count == 0) Context.Stop(Self);
    }
}
