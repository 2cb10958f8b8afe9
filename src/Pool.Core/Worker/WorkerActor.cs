using Akka.Actor;
using Akka.Event;
using PoolCluster.Child;
using PoolCluster.WireFormat.Frames;
using PoolCluster.WireFormat.Messages;
using PoolCluster.WireFormat.Values;
using PoolCluster.Worker.ChildProcess;

namespace PoolCluster.Worker;

/// <summary>
/// One pool worker: pulls chunks from the router while it has room and runs them in its child process, whose life
/// (spawn, standby, recycling, deadlines, blame on death) <see cref="ChildLifecycle"/> handles. The actor keeps the
/// messaging: the router protocol, the children's frames and exits (handed over from their I/O threads), deadline
/// timers and shared-object calls forwarded to the manager.
/// Life stages: Running → Draining (graceful stop) → stopped; Running → Broken (the initializer failed); a hard stop
/// or children that cannot start end it at once.
/// </summary>
internal sealed partial class WorkerActor : ReceiveActor, IChildListener, IDeadlineTimer, IWithTimers
{
    private sealed record ChildFrames(ChildProcessHandle Child, IReadOnlyList<Frame> Frames);
    private sealed record ChildEnded(ChildProcessHandle Child, ChildExit Exit);
    private sealed record ManagerAnswered(ChildProcessHandle Child, long CallId, byte[] Reply);
    private sealed record TaskDeadline(ChildProcessHandle Child);
    private sealed record CancelGraceOver(ChildProcessHandle Child, long TaskId);

    private readonly IActorRef _router;
    private readonly IActorRef _self; // the child's I/O threads have no actor context: they tell this reference
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ChildLifecycle _children;
    private readonly Manager.ManagerRelay _managers; // the children's shared-object calls: opaque here
    private readonly PipelineDepth _pipeline;
    private readonly TimeSpan _cancelGrace;
    private int _outstandingDemand;

    public WorkerActor(IActorRef router, WorkerSettings settings, ChildGroup? children = null)
    {
        _router = router;
        _self = Self;
        _pipeline = new PipelineDepth(settings);
        _cancelGrace = settings.CancelGracePeriod;
        _managers = new Manager.ManagerRelay(Context.System, Self.Path.ToStringWithAddress());
        _children = new ChildLifecycle(settings, this, this, children, m => _log.Info(m), m => _log.Warning(m));
        Running();
        StartStatus();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef router, WorkerSettings settings, ChildGroup? children = null) =>
        Akka.Actor.Props.Create(() => new WorkerActor(router, settings, children));

    protected override void PreStart()
    {
        _children.Start();
        RequestMore();
    }

    protected override void PostStop()
    {
        StopStatus();
        _children.Dispose();
    }

    // ---- life stages ----------------------------------------------------------------------------------------------

    /// <summary>Takes chunks, feeds them to the child, asks for more, replaces a child that dies.</summary>
    private void Running()
    {
        Receive<TaskChunk>(chunk => Accept([chunk]));
        Receive<TaskChunks>(batch => Accept(batch.Chunks));
        Receive<ChildFrames>(m => OnChildFrames(m.Child, m.Frames, afterAnswers: Refill, onInitFailed: () => Become(Broken)));
        Receive<ChildEnded>(m => OnChildEnded(m.Child, m.Exit, ReplaceChild));
        Receive<ReturnWork>(m => ReturnUnstarted(m.Count));
        Receive<ResetDemand>(_ =>
        {
            _outstandingDemand = 0;
            RequestMore();
        });
        Receive<StopWorker>(m => Stop(m.Graceful));
        ReceiveAlways(afterCancel: Refill);
    }

    /// <summary>Stopping gracefully: what never reached a child went back to the router; what runs finishes, then the
    /// children exit and the worker stops.</summary>
    private void Draining()
    {
        // Sent before the router learned that this worker drains (its children may already be exiting): hand back.
        Receive<TaskChunk>(chunk => _router.Tell(new WorkerDraining([chunk.TaskId])));
        Receive<TaskChunks>(batch => _router.Tell(new WorkerDraining(batch.Chunks.Select(c => c.TaskId).ToList())));
        Receive<ChildFrames>(m => OnChildFrames(m.Child, m.Frames, afterAnswers: StopWhenIdle));
        Receive<ChildEnded>(m => OnChildEnded(m.Child, m.Exit, _ =>
        {
            // No successor starts: what was queued behind the dead child goes back to the router.
            if (_children.PendingCount > 0) HandBackPending();
            StopWhenIdle();
        }, stopping: true));
        Receive<ReturnWork>(_ => _router.Tell(new WorkReturned([])));
        Receive<ResetDemand>(_ => { });
        Receive<StopWorker>(m => { if (!m.Graceful) Kill(); });
        ReceiveAlways(afterCancel: StopWhenIdle);
    }

    /// <summary>The pool's initializer failed in a child (the router fails the pool): nothing more is sent to
    /// children or asked for; the worker waits to be stopped.</summary>
    private void Broken()
    {
        Receive<TaskChunk>(chunk => _children.Enqueue([chunk]));
        Receive<TaskChunks>(batch => _children.Enqueue(batch.Chunks));
        Receive<ChildFrames>(m => OnChildFrames(m.Child, m.Frames, afterAnswers: () => { }));
        Receive<ChildEnded>(m => OnChildEnded(m.Child, m.Exit, _ => { }));
        Receive<ReturnWork>(_ => _router.Tell(new WorkReturned([])));
        Receive<ResetDemand>(_ => { });
        Receive<StopWorker>(m => Stop(m.Graceful));
        ReceiveAlways(afterCancel: () => { });
    }

    /// <summary>What every stage does alike; <paramref name="afterCancel"/>: what the stage does once a cancel freed room.</summary>
    private void ReceiveAlways(Action afterCancel)
    {
        Receive<ManagerAnswered>(m => m.Child.Send(FrameType.ManagerResponse, m.CallId, 0, m.Reply, direct: true));
        Receive<TaskDeadline>(m => _children.CheckDeadline(m.Child));
        ReceiveStatus();
        Receive<CancelTasks>(m => OnCancelTasks(m.TaskIds, afterCancel));
        Receive<CancelGraceOver>(m =>
        {
            if (_children.OnCancelGraceOver(m.Child, m.TaskId) == false) ArmCancelGrace(m.Child, m.TaskId);
        });
    }

    /// <summary>A job was cancelled: what waits here is dropped, what the child runs sees its token cancelled and gets
    /// the grace period before its child is killed. Nothing is answered for dropped chunks (the router forgot them).</summary>
    private void OnCancelTasks(IReadOnlyList<long> taskIds, Action afterwards)
    {
        foreach (var (child, taskId) in _children.Cancel(taskIds.ToHashSet())) ArmCancelGrace(child, taskId);
        afterwards();
    }

    private void ArmCancelGrace(ChildProcessHandle child, long taskId) =>
        Timers.StartSingleTimer(("cancel", child.Generation, taskId), new CancelGraceOver(child, taskId), _cancelGrace);

    private void Stop(bool graceful)
    {
        if (!graceful)
        {
            Kill();
            return;
        }
        Become(Draining);
        HandBackPending();
        _children.ShutdownStandby();
        StopWhenIdle();
    }

    private void Kill()
    {
        _children.KillAll("the pool was terminated");
        Context.Stop(Self);
    }

    /// <summary>Hands back what never reached a child, so the router runs it elsewhere (and tells it this worker drains).</summary>
    private void HandBackPending() =>
        _router.Tell(new WorkerDraining(_children.TakePending().Select(c => c.TaskId).ToList()));

    /// <summary>A draining worker ends once nothing is waiting or in flight and its children have exited.</summary>
    private void StopWhenIdle()
    {
        if (!_children.Idle) return;
        _children.ShutdownAll();
        if (_children.AllExited) Context.Stop(Self);
    }

    // ---- the data path: chunks in, to the child, answers out ------------------------------------------------------

    private void Accept(IReadOnlyList<TaskChunk> chunks)
    {
        _outstandingDemand = Math.Max(0, _outstandingDemand - chunks.Count);
        _children.Enqueue(chunks);
        Refill();
    }

    /// <summary>Feeds waiting chunks to the child up to the pipelining depth, then asks the router for the rest.</summary>
    private void Refill()
    {
        HandBack(_children.SettleOrphanedRevocations());
        _children.Feed(_pipeline.Depth);
        RequestMore();
    }

    private void RequestMore()
    {
        var want = _pipeline.Depth - _children.Held - _outstandingDemand;
        if (want <= 0) return;
        _outstandingDemand += want;
        _router.Tell(new RequestWork(want));
    }

    private enum FrameEffect { None, Freed, InitFailed }

    /// <summary>
    /// Frames of one pipe read: results go to the router as one message, and <paramref name="afterAnswers"/> (refill,
    /// or stop once idle) runs once, when chunks were answered or handed back.
    /// </summary>
    private void OnChildFrames(ChildProcessHandle child, IReadOnlyList<Frame> frames, Action afterAnswers, Action? onInitFailed = null)
    {
        var completed = new List<ChunkCompleted>();
        var freed = false;
        var stageChanged = false;
        try
        {
            foreach (var frame in frames)
            {
                if (_children.Find(child) is not { } slot) return; // a replaced child's late frames
                switch (OnChildFrame(slot, frame, completed))
                {
                    case FrameEffect.Freed:
                        freed = true;
                        break;
                    case FrameEffect.InitFailed when onInitFailed is not null:
                        onInitFailed();
                        stageChanged = true; // the new stage does not refill
                        break;
                }
            }
        }
        finally
        {
            if (completed.Count == 1) _router.Tell(completed[0]);
            else if (completed.Count > 1) _router.Tell(new ChunksCompleted(completed));
        }
        if (freed && !stageChanged) afterAnswers();
    }

    private FrameEffect OnChildFrame(ChildSlot slot, Frame frame, List<ChunkCompleted> completed)
    {
        switch (frame.Type)
        {
            case FrameType.Hello:
                return FrameEffect.None;
            case FrameType.Ready:
                _children.OnReady(slot);
                Metrics.PoolMetrics.ChildStarted(slot.Handle.Pid);
                return FrameEffect.None;
            case FrameType.InitFailed:
                _router.Tell(new InitializerFailed(Wire.FromBytes<ErrorInfo>(frame.Payload)));
                return FrameEffect.InitFailed;
            case FrameType.ChunkResult:
            case FrameType.ChunkFailed:
                if (_children.OnAnswered(slot, frame.Id) is not { } chunk) return FrameEffect.None;
                RecordAnswered(slot, frame.Type, frame.Aux);
                if (frame.Type == FrameType.ChunkResult)
                {
                    _pipeline.RecordRunTime(frame.Aux);
                    completed.Add(new ChunkCompleted(chunk.TaskId, frame.Payload));
                }
                else _router.Tell(new ChunkFailed(chunk.TaskId, Wire.FromBytes<ErrorInfo>(frame.Payload)));
                return FrameEffect.Freed;
            case FrameType.ManagerRequest:
                ForwardToManager(slot, frame);
                return FrameEffect.None;
            case FrameType.Revoked:
                return TellReturned(_children.OnRevoked(slot, frame.Id, revoked: frame.Aux == 1)) ? FrameEffect.Freed : FrameEffect.None;
            default:
                slot.Handle.Kill($"unexpected frame {frame.Type} from the child");
                return FrameEffect.None;
        }
    }

    /// <summary>A child ended: report the chunk it was blamed for, release what it held in shared objects, then
    /// <paramref name="next"/> (the stage decides whether a successor starts).</summary>
    private void OnChildEnded(ChildProcessHandle child, ChildExit exit, Action<ChildLoss> next, bool stopping = false)
    {
        if (_children.OnExited(child, exit) is not { } loss) return;
        RecordEnded(loss, stopping);
        _managers.ChildGone(loss.Pid);
        if (loss.Report is not null) _router.Tell(loss.Report);
        next(loss);
    }

    private void ReplaceChild(ChildLoss loss)
    {
        if (_children.Replace(loss))
        {
            Refill();
            return;
        }
        _router.Tell(new WorkerStartFailed($"{ChildLifecycle.MaxConsecutiveStartFailures} child processes in a row ended before they were ready; the last: {loss.Exit.Describe()}"));
        Become(Broken);
        Context.Stop(Self);
    }

    // ---- work stealing: another worker is idle, hand back chunks that have not started -------------------------

    /// <summary>Declines while a take-back is under way, or when the queue will start within the pipelining budget
    /// anyway (the running chunk is young and chunks have been fast).</summary>
    private void ReturnUnstarted(int count)
    {
        var headMicros = _children.Current is { } current
            ? System.Diagnostics.Stopwatch.GetElapsedTime(current.ProgressSince).TotalMicroseconds : 0;
        if (_children.Revoking || _children.Current is null
            || Math.Max(_pipeline.AverageRunMicros, headMicros) < PipelineDepth.QueueBudgetMicros)
        {
            _router.Tell(new WorkReturned([]));
            return;
        }
        HandBack(_children.TakeBackUnstarted(count));
    }

    private void HandBack(IReadOnlyList<long>? returned)
    {
        if (TellReturned(returned)) Refill();
    }

    /// <summary>Answers the router's ReturnWork (null: still waiting for the child); true when chunks went back.</summary>
    private bool TellReturned(IReadOnlyList<long>? returned)
    {
        if (returned is null) return false;
        _router.Tell(new WorkReturned(returned));
        return returned.Count > 0;
    }

    // ---- shared objects --------------------------------------------------------------------------------------------

    /// <summary>A shared-object call from user code in the child: the relay forwards it; the answer goes back down
    /// the pipe under the call's id.</summary>
    private void ForwardToManager(ChildSlot slot, Frame frame)
    {
        var child = slot.Handle;
        var callId = frame.Id;
        var reply = _managers.Forward(child.Pid, frame.Payload, TimeSpan.FromMilliseconds(Math.Max(1, frame.Aux)));
        if (reply is null)
        {
            child.Kill("malformed shared-object call from the child");
            return;
        }
        reply.ContinueWith(t => (object)new ManagerAnswered(child, callId, t.Result), TaskScheduler.Default).PipeTo(_self);
    }

    // ---- IChildListener: called on the child's I/O threads; everything is handed to the actor as a message ----------

    void IChildListener.OnFrame(ChildProcessHandle child, Frame frame) => _self.Tell(new ChildFrames(child, [frame]));
    void IChildListener.OnFrames(ChildProcessHandle child, IReadOnlyList<Frame> frames) => _self.Tell(new ChildFrames(child, frames));
    void IChildListener.OnExited(ChildProcessHandle child, ChildExit exit) => _self.Tell(new ChildEnded(child, exit));
    void IChildListener.OnOutput(ChildProcessHandle child, string line, bool isError)
    {
        if (isError) _log.Warning("[child {0}] {1}", child.Pid, line);
        else _log.Info("[child {0}] {1}", child.Pid, line);
    }

    // ---- IDeadlineTimer: the children's hard deadlines are this actor's timers ----------------------------------------

    bool IDeadlineTimer.IsArmed(ChildProcessHandle child) => Timers.IsTimerActive(("deadline", child.Generation));
    void IDeadlineTimer.Arm(ChildProcessHandle child, TimeSpan after) =>
        Timers.StartSingleTimer(("deadline", child.Generation), new TaskDeadline(child), after);
    void IDeadlineTimer.Cancel(ChildProcessHandle child) => Timers.Cancel(("deadline", child.Generation));
}
