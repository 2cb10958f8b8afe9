using System.Diagnostics;
using PoolCluster.Child;
using PoolCluster.WireFormat.Frames;
using PoolCluster.WireFormat.Messages;
using PoolCluster.WireFormat.Values;
using PoolCluster.Worker.ChildProcess;

namespace PoolCluster.Worker;

/// <summary>
/// A worker's child processes and the chunks they hold, with no actors involved: one child runs tasks at a time
/// (<see cref="Current"/>), a standby child waits ready when MaxTasksPerChild recycles, retired children finish their
/// last answers. It spawns, feeds chunks in order, retires at the task or memory limit, kills at the per-item
/// deadline (reading the child's status board), takes back chunks that have not started, and on a child's death
/// blames the item it was running and queues the rest for the successor.
/// Not thread-safe: the owner calls it from one thread (the worker actor's), including for what the
/// <see cref="IChildListener"/> it was given reports from the children's I/O threads.
/// </summary>
internal sealed class ChildLifecycle(
    WorkerSettings settings,
    IChildListener listener,
    IDeadlineTimer deadlines,
    ChildGroup? group = null,
    Action<string>? info = null,
    Action<string>? warning = null) : IDisposable
{
    /// <summary>Children in a row that may end before they are ready before the worker gives up.</summary>
    public const int MaxConsecutiveStartFailures = 3;

    private readonly Action<string> _info = info ?? (_ => { });
    private readonly Action<string> _warning = warning ?? (_ => { });
    private readonly Queue<TaskChunk> _pending = new(); // received, not yet sent to a child
    private readonly List<ChildSlot> _retiring = [];
    private readonly HashSet<long> _revoking = [];  // chunks the child was asked to skip, awaiting its answer
    private readonly List<long> _returning = [];     // chunks to hand back once every revocation is answered
    private ChildSlot? _standby;
    private int _generation;
    private int _startFailures;

    /// <summary>The child that runs tasks now (null only between a death and its replacement, or once stopped).</summary>
    public ChildSlot? Current { get; private set; }

    /// <summary>Chunks received and not sent to a child yet.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>Chunks this worker holds: waiting here or sent to the current child.</summary>
    public int Held => _pending.Count + (Current?.InFlight.Count ?? 0);

    /// <summary>Nothing waits here and no child has an unanswered chunk.</summary>
    public bool Idle => _pending.Count == 0 && Slots.All(s => s.InFlight.Count == 0);

    /// <summary>Every child has exited (and was accounted for).</summary>
    public bool AllExited => Current is null && _standby is null && _retiring.Count == 0;

    /// <summary>A take-back is waiting for the child's answers.</summary>
    public bool Revoking => _revoking.Count > 0;

    /// <summary>Every child: the current one, the standby, the retiring ones.</summary>
    public IEnumerable<ChildSlot> Slots
    {
        get
        {
            if (Current is not null) yield return Current;
            if (_standby is not null) yield return _standby;
            foreach (var s in _retiring) yield return s;
        }
    }

    /// <summary>Starts the first child, and its standby when children are recycled.</summary>
    public void Start()
    {
        Current = Spawn();
        if (settings.MaxTasksPerChild > 0) _standby = Spawn();
    }

    private ChildSlot Spawn()
    {
        var handle = ChildProcessHandle.Start(++_generation, listener, settings.MaxFrameSize, settings.ChildStartTimeout, settings.ShippedAssemblyPaths, group);
        var softMs = (int)Math.Min(int.MaxValue, settings.SoftTaskTimeout?.TotalMilliseconds ?? 0);
        handle.Send(FrameType.Init, ChildLimits.Pack(settings.MaxPayloadSize, settings.MaxValueDepth), softMs, settings.InitializerBody);
        if (settings.MaxConcurrentTasksPerChild > 1) handle.Send(FrameType.SetConcurrency, settings.MaxConcurrentTasksPerChild, 0, Frame.Empty);
        if (handle.BoardProblem is { } problem)
            _warning($"No status board for child {handle.Pid} ({problem}): its deadlines and blame fall back to whole chunks");
        return new ChildSlot(handle);
    }

    /// <summary>The slot of this child, or null for a child already replaced (a late frame or exit).</summary>
    public ChildSlot? Find(ChildProcessHandle child)
    {
        foreach (var s in Slots) if (ReferenceEquals(s.Handle, child)) return s;
        return null;
    }

    // ---- the data path: chunks in, answers out ----------------------------------------------------------------

    public void Enqueue(IEnumerable<TaskChunk> chunks)
    {
        foreach (var chunk in chunks) _pending.Enqueue(chunk);
    }

    /// <summary>Moves waiting chunks into the current child while it holds fewer than <paramref name="depth"/>,
    /// recycling it at its task limit (its successor starts once it has answered everything).</summary>
    public void Feed(int depth)
    {
        while (Current is { } slot)
        {
            if (AtTaskLimit(slot))
            {
                if (slot.InFlight.Count > 0) break; // one child runs at a time: the successor waits for the last answer
                Retire(slot);
                continue;
            }
            if (_pending.Count == 0 || slot.InFlight.Count >= depth) break;
            Send(slot, _pending.Dequeue());
        }
    }

    private bool AtTaskLimit(ChildSlot slot) =>
        slot.RetireRequested || (settings.MaxTasksPerChild > 0 && slot.Sent >= settings.MaxTasksPerChild);

    private void Send(ChildSlot slot, TaskChunk chunk)
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

    /// <summary>The child ran its initializer: a deadline clock may run from now.</summary>
    public void OnReady(ChildSlot slot)
    {
        slot.Ready = true;
        _startFailures = 0;
        slot.ProgressSince = Stopwatch.GetTimestamp();
        ArmDeadline(slot);
    }

    /// <summary>
    /// The child answered <paramref name="taskId"/>: returns that chunk, or null when it answered out of order (the
    /// child is killed: its answers can no longer be matched). Re-arms the deadline for what runs next, checks the
    /// child's memory, and lets a retired child go once it has answered everything.
    /// </summary>
    public TaskChunk? OnAnswered(ChildSlot slot, long taskId)
    {
        // In order, unless the child runs several async chunks at once: then any chunk it holds may end first.
        var chunk = slot.InFlight.TryPeek(out var head) && head.TaskId == taskId ? slot.InFlight.Dequeue()
            : settings.MaxConcurrentTasksPerChild > 1 ? TakeFromInFlight(slot, taskId) : null;
        if (chunk is null)
        {
            slot.Handle.Kill($"the child answered task {taskId} out of order");
            return null;
        }
        slot.Cancelled.Remove(taskId);
        slot.ProgressSince = Stopwatch.GetTimestamp();
        if (slot.InFlight.Count == 0) deadlines.Cancel(slot.Handle);
        else ArmDeadline(slot);
        CheckMemory(slot);
        if (slot.InFlight.Count == 0 && _retiring.Contains(slot)) slot.Handle.Shutdown();
        return chunk;
    }

    /// <summary>Celery's max-memory-per-child: a child whose resident memory grew past the limit is recycled.</summary>
    private void CheckMemory(ChildSlot slot)
    {
        if (settings.MaxMemoryPerChild is not { } limit || slot.RetireRequested) return;
        var resident = ChildMemory.ResidentBytes(slot.Handle.Pid);
        if (resident <= limit) return;
        _info($"Child {slot.Handle.Pid} uses {resident:N0} bytes (limit {limit:N0}); replacing it after its current tasks");
        slot.RetireRequested = true;
        Metrics.PoolMetrics.ChildLost("memory");
    }

    private void Retire(ChildSlot slot)
    {
        slot.Handle.Shutdown();
        _retiring.Add(slot);
        Current = _standby ?? Spawn();
        _standby = Spawn();
    }

    // ---- hard deadline per item: one timer per child, re-armed from what the child's status board says ----------

    /// <summary>Arms the child's deadline timer (unless armed) while it has work: it fires when the item running now
    /// could at the earliest pass its limit, and <see cref="CheckDeadline"/> looks again then.</summary>
    private void ArmDeadline(ChildSlot slot, TimeSpan? after = null)
    {
        // A child's own start (runtime, JIT, initializer) is not task time: no clock before it is ready.
        if (settings.TaskTimeout is not { } limit || !slot.Ready || slot.InFlight.Count == 0) return;
        if (after is null && deadlines.IsArmed(slot.Handle)) return;
        deadlines.Arm(slot.Handle, after ?? limit);
    }

    /// <summary>
    /// The child's deadline timer fired. The board names the item running now and since when: past the limit, the
    /// child is killed for that item (its exit then fails the chunk with a timeout); otherwise the timer is set for
    /// that item's own limit. While no item of ours runs (between chunks, or no board), the clock runs from the last
    /// sight of progress, so a child stuck outside user code is caught too.
    /// </summary>
    public void CheckDeadline(ChildProcessHandle child)
    {
        var slot = Find(child);
        if (slot is null || slot.InFlight.Count == 0 || settings.TaskTimeout is not { } limit || slot.TimedOut is not null) return;
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
        _warning($"{what} ran past its TaskTimeout of {limit}; killing child {child.Pid}");
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

    // ---- what the dashboard shows ------------------------------------------------------------------------------

    /// <summary>Each child now: its stage, the item it runs and for how long (from its status board), tasks done,
    /// memory and CPU. Children still waiting for their turn to start are left out.</summary>
    public List<ChildStatus> DescribeChildren(string pool)
    {
        var list = new List<ChildStatus>();
        foreach (var slot in Slots)
        {
            var pid = slot.Handle.Pid;
            if (pid <= 0) continue;
            string state;
            string? running = null;
            double? seconds = null;
            if (_retiring.Contains(slot)) state = "retiring";
            else if (!slot.Ready) state = "starting";
            else if (ReferenceEquals(slot, _standby)) state = "standby";
            else if (slot.InFlight.Count == 0) state = "idle";
            else
            {
                state = "running";
                var board = slot.Handle.Board?.Read() ?? default;
                if (board.State == ChildActivity.Running && InFlightChunk(slot, board.TaskId) is { } chunk)
                {
                    running = Describe(chunk, board.Item);
                    seconds = Stopwatch.GetElapsedTime(board.Since).TotalSeconds;
                }
                else
                {
                    running = slot.InFlight.Peek().Description;
                    seconds = Stopwatch.GetElapsedTime(slot.ProgressSince).TotalSeconds;
                }
            }
            list.Add(new ChildStatus(pid, pool, state, running, seconds, slot.Done, ChildMemory.ResidentBytes(pid), ChildCpu.Seconds(pid), null));
        }
        return list;
    }

    // ---- a child ends ---------------------------------------------------------------------------------------------

    /// <summary>
    /// A child exited: null for one already accounted for. Otherwise it is forgotten, and a dead child fails only the
    /// chunk it was running, naming the item, as its status board says (with pipelining that need not be the oldest
    /// unanswered chunk). Chunks before it finished but their replies died with the child; chunks after it never
    /// started: both go back to the front of the waiting chunks, for the successor (<see cref="Replace"/>) or to be
    /// handed back (<see cref="TakePending"/>). A chunk killed for its deadline whose reply still made it is not
    /// failed at all.
    /// </summary>
    public ChildLoss? OnExited(ChildProcessHandle child, ChildExit exit)
    {
        var slot = Find(child);
        if (slot is null) return null;
        var board = child.Board?.Read() ?? default; // what it was running when it died; read before the board is released
        child.Dispose();
        var expected = _retiring.Contains(slot) || (slot.RetireRequested && slot.InFlight.Count == 0);
        _retiring.Remove(slot);
        if (ReferenceEquals(slot, Current)) Current = null;
        if (ReferenceEquals(slot, _standby)) _standby = null;
        deadlines.Cancel(child);
        // Cancelled tasks are nobody's loss: not blamed, never run again. A child killed (or dying) while it ran one
        // blames nothing else either: the chunks behind it never started.
        var runningCancelled = slot.KilledForCancel || (board.State == ChildActivity.Running && slot.Cancelled.Contains(board.TaskId));
        foreach (var taskId in slot.Cancelled) TakeFromInFlight(slot, taskId);
        slot.Cancelled.Clear();
        var report = runningCancelled ? null : Blame(slot, board, exit);
        if (slot.InFlight.Count > 0)
            _info($"{slot.InFlight.Count} chunks child {child.Pid} held (finished with their replies lost, or not started) run again in its successor");
        var requeue = slot.InFlight.Concat(_pending).ToList();
        slot.InFlight.Clear();
        _pending.Clear();
        foreach (var c in requeue) _pending.Enqueue(c);
        // Killed from outside (kill -9, OOM killer, chaos) says nothing about whether children can start at all.
        var diedBeforeReady = !slot.Ready && exit.Signal is not (9 or 15);
        return new ChildLoss(child.Pid, exit, report, diedBeforeReady, expected, slot.TimedOut is not null);
    }

    private IPoolProtocolMessage? Blame(ChildSlot slot, BoardSnapshot board, ChildExit exit)
    {
        var pid = slot.Handle.Pid;
        if (slot.TimedOut is { } timedOut)
        {
            return TakeFromInFlight(slot, timedOut.TaskId) is { } late
                ? new ChunkFailed(late.TaskId, ErrorInfo.From(new TaskTimeoutException(
                    $"{Describe(late, timedOut.Item)} ran longer than its TaskTimeout of {settings.TaskTimeout}; its child process (pid {pid}) was killed and replaced.")))
                : null;
        }
        if (board.State == ChildActivity.Running && TakeFromInFlight(slot, board.TaskId) is { } running)
        {
            var what = Describe(running, board.Item);
            _warning($"Child {pid} was lost while running {what}: {exit.Describe()}");
            return new ChunkLost(running.TaskId, $"the worker process (pid {pid}) running {what} died: {exit.Describe()}", exit.ExitCode, exit.Signal);
        }
        if (slot.InFlight.TryDequeue(out var head))
        {
            // Not running user code (or no board): the oldest chunk it was given takes the blame, so that a child that
            // keeps dying between tasks cannot loop forever.
            var when = board.State == ChildActivity.Idle ? $"between tasks, with {head.Description} next" : $"running {head.Description}";
            _warning($"Child {pid} was lost {when}: {exit.Describe()}");
            return new ChunkLost(head.TaskId, $"the worker process (pid {pid}) died {when}: {exit.Describe()}", exit.ExitCode, exit.Signal);
        }
        return null;
    }

    private static TaskChunk? TakeFromInFlight(ChildSlot slot, long taskId)
    {
        var found = InFlightChunk(slot, taskId);
        if (found is not null) Keep(slot.InFlight, c => c.TaskId != taskId);
        return found;
    }

    private static void Keep(Queue<TaskChunk> queue, Func<TaskChunk, bool> keep)
    {
        var kept = queue.Where(keep).ToList();
        queue.Clear();
        foreach (var c in kept) queue.Enqueue(c);
    }

    /// <summary>
    /// After a loss, the standby (or a new child) takes over, and a new standby starts when children are recycled.
    /// False when <see cref="MaxConsecutiveStartFailures"/> children in a row died before they were ready: children
    /// cannot start here, and no more are started.
    /// </summary>
    public bool Replace(ChildLoss loss)
    {
        if (loss.DiedBeforeReady && ++_startFailures >= MaxConsecutiveStartFailures) return false;
        Current ??= _standby ?? Spawn();
        if (ReferenceEquals(Current, _standby)) _standby = null;
        if (settings.MaxTasksPerChild > 0 && _standby is null) _standby = Spawn();
        return true;
    }

    /// <summary>
    /// Kills the child holding <paramref name="taskId"/> (for example a chunk whose caller gave up); its exit arrives
    /// through the listener as any death does, and <see cref="OnExited"/> then blames what it ran. False when no
    /// child holds the chunk.
    /// </summary>
    public bool KillChildRunning(long taskId, string reason)
    {
        foreach (var slot in Slots)
            if (InFlightChunk(slot, taskId) is not null)
            {
                slot.Handle.Kill(reason);
                return true;
            }
        return false;
    }

    // ---- cancellation: drop what waits here, cancel what the children hold, kill one still running after the grace ----

    /// <summary>
    /// The job of <paramref name="taskIds"/> was cancelled: chunks still waiting here are dropped; chunks in a child get
    /// their tokens cancelled there (a CancelTask frame, which overtakes the child's queue). Returns the children and
    /// chunks to look at again after the grace period (<see cref="OnCancelGraceOver"/>).
    /// </summary>
    public IReadOnlyList<(ChildProcessHandle Child, long TaskId)> Cancel(IReadOnlyCollection<long> taskIds)
    {
        var ids = taskIds as ISet<long> ?? taskIds.ToHashSet();
        Keep(_pending, c => !ids.Contains(c.TaskId));
        var watch = new List<(ChildProcessHandle, long)>();
        foreach (var slot in Slots)
            foreach (var chunk in slot.InFlight)
            {
                if (!ids.Contains(chunk.TaskId) || !slot.Cancelled.Add(chunk.TaskId)) continue;
                slot.Handle.Send(FrameType.CancelTask, chunk.TaskId, 0, Frame.Empty, direct: true);
                watch.Add((slot.Handle, chunk.TaskId));
            }
        return watch;
    }

    /// <summary>
    /// The grace period of a cancelled chunk is over. Still running it (it ignores its token): the child is killed and
    /// replaced, the other chunks it held run in the successor; true then. Not running it (still queued behind other
    /// work, or its reply is on the way): it ends by itself; false, and the caller looks again after another period.
    /// Null when there is nothing left to watch.
    /// </summary>
    public bool? OnCancelGraceOver(ChildProcessHandle child, long taskId)
    {
        var slot = Find(child);
        if (slot is null || !slot.Cancelled.Contains(taskId) || InFlightChunk(slot, taskId) is not { } chunk) return null;
        if (child.Board?.Read() is { } board && !(board.State == ChildActivity.Running && board.TaskId == taskId)) return false;
        _warning($"{chunk.Description} was cancelled and still runs after the grace period of {settings.CancelGracePeriod}; killing child {child.Pid}");
        slot.KilledForCancel = true;
        child.Kill($"{chunk.Description} was cancelled and still ran after the grace period");
        return true;
    }

    // ---- taking back chunks that have not started (work stealing) -----------------------------------------------

    /// <summary>
    /// Takes back up to <paramref name="count"/> chunks that have not started, the ones that would start last: those
    /// still waiting here at once, those queued in the child once it confirms it skipped them (it may already have
    /// started one). Returns what to hand back now, or null while the child's answers are awaited
    /// (<see cref="OnRevoked"/> returns them then).
    /// </summary>
    public IReadOnlyList<long>? TakeBackUnstarted(int count)
    {
        if (Current is not { } slot) return [];
        // In start order; the child's head runs now and stays.
        var queued = slot.InFlight.Skip(1).Concat(_pending).ToList();
        foreach (var chunk in queued.Skip(Math.Max(0, queued.Count - count)))
        {
            if (RemovePending(chunk.TaskId)) _returning.Add(chunk.TaskId);
            else
            {
                _revoking.Add(chunk.TaskId);
                slot.Handle.Send(FrameType.Revoke, chunk.TaskId, 0, Frame.Empty, direct: true);
            }
        }
        return SettleReturn();
    }

    /// <summary>The child answered a revocation: returns what to hand back once every one is answered, else null.</summary>
    public IReadOnlyList<long>? OnRevoked(ChildSlot slot, long taskId, bool revoked)
    {
        if (!_revoking.Remove(taskId)) return null;
        if (revoked && InFlightChunk(slot, taskId) is not null)
        {
            Keep(slot.InFlight, c => c.TaskId != taskId);
            slot.Sent--; // it never ran there: it does not count towards MaxTasksPerChild
            _returning.Add(taskId);
        }
        return SettleReturn();
    }

    /// <summary>A child that died while revocations were pending: its unstarted chunks came back to the waiting
    /// ones; returns them to hand back once nothing is awaited, else null.</summary>
    public IReadOnlyList<long>? SettleOrphanedRevocations()
    {
        if (_revoking.Count == 0 || _pending.Count == 0) return null;
        foreach (var id in _revoking.ToList())
            if (RemovePending(id))
            {
                _revoking.Remove(id);
                _returning.Add(id);
            }
        return SettleReturn();
    }

    private IReadOnlyList<long>? SettleReturn()
    {
        if (_revoking.Count > 0) return null;
        var returned = _returning.ToList();
        _returning.Clear();
        return returned;
    }

    private bool RemovePending(long taskId)
    {
        if (!_pending.Any(c => c.TaskId == taskId)) return false;
        Keep(_pending, c => c.TaskId != taskId);
        return true;
    }

    // ---- stopping -------------------------------------------------------------------------------------------------

    /// <summary>Removes and returns every chunk waiting here (to hand back to the router).</summary>
    public IReadOnlyList<TaskChunk> TakePending()
    {
        var taken = _pending.ToList();
        _pending.Clear();
        return taken;
    }

    /// <summary>Graceful stop begins: the standby is not needed any more.</summary>
    public void ShutdownStandby() => _standby?.Handle.Shutdown();

    /// <summary>Asks every child to exit after what it holds (they close their pipes and their exits arrive).</summary>
    public void ShutdownAll()
    {
        foreach (var slot in Slots) slot.Handle.Shutdown();
    }

    public void KillAll(string reason)
    {
        foreach (var slot in Slots) slot.Handle.Kill(reason);
    }

    public void Dispose()
    {
        foreach (var slot in Slots) slot.Handle.Dispose();
    }
}
