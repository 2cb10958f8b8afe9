using System.Diagnostics;
using System.IO.Pipes;
using PoolCluster.WireFormat.Frames;

namespace PoolCluster.Worker.ChildProcess;

/// <summary>
/// The parent's side of one child process: starts it (its launch waits its turn behind <see cref="ChildStarter"/>),
/// owns the pipe, and runs a reader thread and a writer thread.
/// A small frame for an idle child, sent while nothing is queued or being written, goes straight into the pipe on the
/// sender's thread (no thread hop on the latency path); otherwise frames queue for the writer thread, which drains every frame queued
/// since its last write into one buffered write, which batches small tasks. Either way frames leave in send order.
/// Exactly one <see cref="IChildListener.OnExited"/> is reported per child, whatever ends it, unless its owner went
/// first (<see cref="Dispose"/>, or its <see cref="ChildGroup"/> closed).
/// </summary>
internal sealed class ChildProcessHandle : IDisposable
{
    private readonly IChildListener _listener;
    private readonly int _maxFrameSize;
    private readonly TimeSpan _startTimeout;
    // Frames up to this size may be written on the sender's thread; the socket buffer takes them without blocking.
    private const int InlineWriteLimit = 16 * 1024;

    private readonly object _sendSignal = new(); // guards the fields below; the writer thread waits on it
    private readonly Queue<(FrameType Type, long Id, int Aux, byte[] Payload)> _outbox = new();
    private FrameWriter? _writer;   // set once the pipe is connected
    private bool _writerBusy;       // the writer thread holds frames it took from the queue and has not flushed yet
    private bool _sendClosed;
    private readonly NamedPipeServerStream _pipe;
    private readonly Process _process;
    private int _exitReported;
    private volatile string? _exitReasonOverride;

    // The start: queued behind ChildStarter's limit, then launching (Process.Start on the starter's thread), then
    // launched; or cancelled before it launched. A kill that arrives while launching is carried out right after.
    private enum StartState { Queued, Launching, Launched, Cancelled }
    private readonly object _startLock = new();
    private readonly ChildGroup _group;
    private readonly ManualResetEventSlim _startSettled = new(); // set once launched, failed to launch or cancelled
    private volatile StartState _start;
    private bool _killWhenLaunched;
    private int _holdsStartSlot;

    private ChildProcessHandle(int generation, IChildListener listener, int maxFrameSize, TimeSpan startTimeout, IReadOnlyList<string> shippedAssemblies, ChildGroup group)
    {
        Timeline.Mark(ChildStage.Requested);
        Generation = generation;
        _listener = listener;
        _group = group;
        _maxFrameSize = maxFrameSize;
        _startTimeout = startTimeout;
        var pipeName = $"poolcluster-{Environment.ProcessId}-{Guid.NewGuid():N}";
        _pipe = new NamedPipeServerStream(pipeName, PipeDirection.InOut, 1, PipeTransmissionMode.Byte, PipeOptions.Asynchronous);
        try { Board = StatusBoard.Create(); }
        catch (Exception e) { BoardProblem = e.Message; }
        _process = new Process { StartInfo = ChildLauncher.CreateStartInfo(pipeName, maxFrameSize, shippedAssemblies, Board?.Path), EnableRaisingEvents = true };
    }

    /// <summary>What the child says it runs (task, item, since when); null when shared memory was not available,
    /// and then deadlines and blame fall back to whole chunks.</summary>
    public StatusBoard? Board { get; }

    /// <summary>Why there is no <see cref="Board"/>, if there is none.</summary>
    public string? BoardProblem { get; }

    /// <summary>When each stage of this child's life happened (the bench's trail of child recycling).</summary>
    public ChildTimeline Timeline { get; } = new();

    /// <summary>Which child of its worker this is (1, 2, ...): tells late events of a replaced child apart.</summary>
    public int Generation { get; }

    /// <summary>The OS process id (0 until the process started).</summary>
    public int Pid { get; private set; }

    /// <summary>The start was cancelled before the process was launched (it never will be).</summary>
    public bool StartCancelled => _start == StartState.Cancelled;

    /// <summary>
    /// Queues the child's start behind the process-wide start limit (<see cref="ChildStarter"/>) and returns at once;
    /// frames may be sent at once and wait until the pipe connects. In a closed <paramref name="group"/> (its pool is
    /// terminating) the child never starts and reports nothing.
    /// </summary>
    public static ChildProcessHandle Start(int generation, IChildListener listener, int maxFrameSize, TimeSpan startTimeout,
        IReadOnlyList<string> shippedAssemblies, ChildGroup? group = null)
    {
        group ??= ChildGroup.Unowned;
        var handle = new ChildProcessHandle(generation, listener, maxFrameSize, startTimeout, shippedAssemblies, group);
        if (!group.TryAdd(handle))
        {
            Interlocked.Exchange(ref handle._exitReported, 1);
            handle._start = StartState.Cancelled;
            handle._startSettled.Set();
            handle.CloseSending();
            return handle;
        }
        ChildStarter.Enqueue(handle, group.MaxConcurrentStarts);
        return handle;
    }

    /// <summary>Called by <see cref="ChildStarter"/> on its thread with a start slot taken: launches the process.
    /// Never throws; the slot is released once the child connected its pipe or ended.</summary>
    internal void LaunchWithSlot()
    {
        Interlocked.Exchange(ref _holdsStartSlot, 1);
        lock (_startLock)
        {
            if (_start == StartState.Cancelled)
            {
                ReleaseStartSlot();
                return;
            }
            _start = StartState.Launching;
        }
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) _listener.OnOutput(this, e.Data, false); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _listener.OnOutput(this, e.Data, true); };
        _process.Exited += (_, _) => _group.Remove(this);
        Exception? failure = null;
        try { _process.Start(); }
        catch (Exception e) { failure = e; }
        bool killNow;
        lock (_startLock)
        {
            if (failure is null) Pid = _process.Id;
            _start = failure is null ? StartState.Launched : StartState.Cancelled;
            killNow = _killWhenLaunched;
        }
        _startSettled.Set();
        Timeline.Mark(ChildStage.Launched);
        if (failure is not null)
        {
            ReleaseStartSlot();
            _group.Remove(this);
            ReportExit(new ChildExit(null, null, $"the child process could not be started: {failure.Message}"));
            return;
        }
        try
        {
            if (killNow) KillProcess();
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
            new Thread(ReadLoop) { IsBackground = true, Name = $"pool-child-{Pid}-reader" }.Start();
        }
        catch (Exception e)
        {
            // Not expected; whatever it was, the child must neither linger nor leave its worker waiting.
            KillProcess();
            ReleaseStartSlot();
            ReportExit(new ChildExit(null, null, $"the child could not be watched: {e.Message}"));
        }
    }

    private void ReleaseStartSlot()
    {
        if (Interlocked.Exchange(ref _holdsStartSlot, 0) == 1) ChildStarter.Release();
    }

    /// <summary>Queues a frame for the writer thread, or with <paramref name="direct"/> writes a small one at once when
    /// nothing is queued before it (for a child waiting idle: latency matters more than batching). Frames sent after the
    /// child is gone are dropped.</summary>
    public void Send(FrameType type, long id, int aux, byte[] payload, bool direct = false)
    {
        if (type == FrameType.RunChunk) Timeline.Mark(ChildStage.TaskSent);
        else if (type == FrameType.Shutdown) Timeline.Mark(ChildStage.ShutdownSent);
        lock (_sendSignal)
        {
            if (_sendClosed) return; // child already gone: its exit is (or will be) reported
            if (direct && _writer is { } writer && !_writerBusy && _outbox.Count == 0 && payload.Length <= InlineWriteLimit)
            {
                try
                {
                    writer.Write(type, id, aux, payload);
                    writer.Flush();
                }
                catch (Exception)
                {
                    _sendClosed = true; // the child is gone; the reader reports the exit
                }
                return;
            }
            _outbox.Enqueue((type, id, aux, payload));
            if (_outbox.Count == 1) Monitor.Pulse(_sendSignal);
        }
    }

    private void CloseSending()
    {
        lock (_sendSignal)
        {
            _sendClosed = true;
            _outbox.Clear();
            Monitor.PulseAll(_sendSignal);
        }
    }

    /// <summary>Asks the child to finish what it has queued and exit.</summary>
    public void Shutdown() => Send(FrameType.Shutdown, 0, 0, Frame.Empty);

    /// <summary>Kills the child (and anything it started) now; a start still queued is cancelled, and reported as the
    /// child's exit unless <paramref name="reportCancelledStart"/> is false (its owner is going away).</summary>
    public void Kill(string reason, bool reportCancelledStart = true)
    {
        _exitReasonOverride ??= reason;
        lock (_startLock)
        {
            switch (_start)
            {
                case StartState.Cancelled:
                    return;
                case StartState.Launching:
                    _killWhenLaunched = true; // Process.Start is under way on the starter's thread, which kills it next
                    return;
                case StartState.Queued:
                    _start = StartState.Cancelled;
                    break;
                default:
                    KillProcess();
                    return;
            }
        }
        // Cancelled while queued: the process never existed.
        _startSettled.Set();
        _group.Remove(this);
        ChildStarter.Cancelled();
        if (reportCancelledStart) ReportExit(new ChildExit(null, null, reason));
        else Interlocked.Exchange(ref _exitReported, 1);
    }

    private void KillProcess()
    {
        try { if (Pid != 0 && !_process.HasExited) _process.Kill(entireProcessTree: true); }
        catch (Exception) { /* already exited */ }
    }

    /// <summary>Waits until the process has exited (true at once for one that never launched); false at the timeout.</summary>
    public bool WaitUntilGone(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        if (!_startSettled.Wait(timeout)) return false;
        if (_start != StartState.Launched) return true;
        var left = timeout - clock.Elapsed;
        try { return _process.WaitForExit(left > TimeSpan.Zero ? left : TimeSpan.Zero); }
        catch (InvalidOperationException) { return true; } // no process was associated after all
    }

    private void ReadLoop()
    {
        try
        {
            using var startCancel = new CancellationTokenSource(_startTimeout);
            var exited = _process.WaitForExitAsync(startCancel.Token);
            var connected = _pipe.WaitForConnectionAsync(startCancel.Token);
            Task.WaitAny(connected, exited);
            ReleaseStartSlot(); // connected (the runtime is up) or ended: either way no longer starting
            if (!connected.IsCompletedSuccessfully)
            {
                if (!exited.IsCompleted) Kill($"the child did not connect to its pipe within {_startTimeout.TotalSeconds:0.#} s");
                FinishWithExit("the child ended before it connected to its pipe");
                return;
            }
            Timeline.Mark(ChildStage.Connected);
            lock (_sendSignal) _writer = new FrameWriter(_pipe);
            new Thread(WriteLoop) { IsBackground = true, Name = $"pool-child-{Pid}-writer" }.Start();
            var reader = new FrameReader(_pipe, _maxFrameSize);
            while (reader.Read() is { } frame)
            {
                Observe(frame);
                if (!reader.HasBufferedFrame)
                {
                    _listener.OnFrame(this, frame);
                    continue;
                }
                // Results that arrived in one pipe read go to the worker as one message.
                var batch = new List<Frame> { frame };
                while (reader.HasBufferedFrame && reader.Read() is { } more)
                {
                    Observe(more);
                    batch.Add(more);
                }
                _listener.OnFrames(this, batch);
            }
            Timeline.Mark(ChildStage.PipeClosed);
            FinishWithExit("the child closed its pipe");
        }
        catch (Exception e)
        {
            // A malformed frame or a broken pipe: this child cannot be trusted any more.
            ReleaseStartSlot();
            Kill($"pipe error: {e.Message}");
            FinishWithExit($"pipe error: {e.Message}");
        }
    }

    private void Observe(Frame frame)
    {
        // The child maps its board before it says hello: the file is no longer needed (nothing left behind in
        // /dev/shm even if this process is killed).
        if (frame.Type == FrameType.Hello) Board?.Unlink();
        else if (frame.Type == FrameType.Ready) Timeline.Mark(ChildStage.Ready);
        else if (frame.Type is FrameType.ChunkResult or FrameType.ChunkFailed) Timeline.Mark(ChildStage.Answered);
    }

    private void WriteLoop()
    {
        var batch = new List<(FrameType Type, long Id, int Aux, byte[] Payload)>();
        while (true)
        {
            FrameWriter writer;
            lock (_sendSignal)
            {
                while (_outbox.Count == 0 && !_sendClosed) Monitor.Wait(_sendSignal);
                if (_sendClosed) return;
                writer = _writer!;
                _writerBusy = true;
                while (_outbox.TryDequeue(out var f)) batch.Add(f);
            }
            try
            {
                foreach (var f in batch) writer.Write(f.Type, f.Id, f.Aux, f.Payload);
                writer.Flush();
            }
            catch (Exception)
            {
                CloseSending(); // the child is gone; the reader reports the exit
                return;
            }
            finally
            {
                batch.Clear();
                lock (_sendSignal) _writerBusy = false;
            }
        }
    }

    private void FinishWithExit(string reason)
    {
        ReleaseStartSlot();
        CloseSending();
        int? code = null;
        try
        {
            if (Pid != 0)
            {
                if (!_process.WaitForExit(2000)) { _process.Kill(entireProcessTree: true); _process.WaitForExit(2000); }
                code = _process.HasExited ? _process.ExitCode : null;
            }
        }
        catch (Exception) { /* the exit code is a nicety */ }
        ReportExit(ChildExit.From(code, _exitReasonOverride ?? reason));
    }

    private void ReportExit(ChildExit exit)
    {
        // Once disposed, the owner no longer listens: an exit it caused itself is not news.
        if (Interlocked.Exchange(ref _exitReported, 1) != 0) return;
        CloseSending();
        Timeline.Mark(ChildStage.ExitReported);
        ChildTimeline.Completed?.Invoke(Timeline);
        _listener.OnExited(this, exit);
    }

    /// <summary>Kills the child if it still runs and releases the pipe.</summary>
    public void Dispose()
    {
        Interlocked.Exchange(ref _exitReported, 1);
        Kill("disposed");
        CloseSending();
        try { _pipe.Dispose(); } catch (Exception) { /* best effort */ }
        Board?.Dispose();
    }
}
