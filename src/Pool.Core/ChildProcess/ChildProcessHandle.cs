using System.Diagnostics;
using System.IO.Pipes;

namespace PoolCluster.ChildProcess;

/// <summary>
/// The parent's side of one child process: starts it, owns the pipe, and runs a reader thread and a writer thread.
/// A small frame for an idle child, sent while nothing is queued or being written, goes straight into the pipe on the
/// sender's thread (no thread hop on the latency path); otherwise frames queue for the writer thread, which drains every frame queued
/// since its last write into one buffered write, which batches small tasks. Either way frames leave in send order.
/// Exactly one <see cref="IChildListener.OnExited"/> is reported per child, whatever ends it.
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

    private ChildProcessHandle(int generation, IChildListener listener, int maxFrameSize, TimeSpan startTimeout, IReadOnlyList<string> shippedAssemblies)
    {
        Generation = generation;
        _listener = listener;
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

    /// <summary>Which child of its worker this is (1, 2, ...): tells late events of a replaced child apart.</summary>
    public int Generation { get; }

    /// <summary>The OS process id (0 until the process started).</summary>
    public int Pid { get; private set; }

    /// <summary>Starts the process and its I/O threads; frames may be sent at once and wait until the pipe connects.</summary>
    public static ChildProcessHandle Start(int generation, IChildListener listener, int maxFrameSize, TimeSpan startTimeout, IReadOnlyList<string> shippedAssemblies)
    {
        var handle = new ChildProcessHandle(generation, listener, maxFrameSize, startTimeout, shippedAssemblies);
        handle.Launch();
        return handle;
    }

    private void Launch()
    {
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) _listener.OnOutput(this, e.Data, false); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _listener.OnOutput(this, e.Data, true); };
        try
        {
            _process.Start();
        }
        catch (Exception e)
        {
            ReportExit(new ChildExit(null, null, $"the child process could not be started: {e.Message}"));
            return;
        }
        Pid = _process.Id;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        new Thread(ReadLoop) { IsBackground = true, Name = $"pool-child-{Pid}-reader" }.Start();
    }

    /// <summary>Queues a frame for the writer thread, or with <paramref name="direct"/> writes a small one at once when
    /// nothing is queued before it (for a child waiting idle: latency matters more than batching). Frames sent after the
    /// child is gone are dropped.</summary>
    public void Send(FrameType type, long id, int aux, byte[] payload, bool direct = false)
    {
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

    /// <summary>Kills the child (and anything it started) now.</summary>
    public void Kill(string reason)
    {
        _exitReasonOverride ??= reason;
        try { if (Pid != 0 && !_process.HasExited) _process.Kill(entireProcessTree: true); }
        catch (Exception) { /* already exited */ }
    }

    private void ReadLoop()
    {
        try
        {
            using var startCancel = new CancellationTokenSource(_startTimeout);
            var exited = _process.WaitForExitAsync(startCancel.Token);
            var connected = _pipe.WaitForConnectionAsync(startCancel.Token);
            Task.WaitAny(connected, exited);
            if (!connected.IsCompletedSuccessfully)
            {
                if (!exited.IsCompleted) Kill($"the child did not connect to its pipe within {_startTimeout.TotalSeconds:0.#} s");
                FinishWithExit("the child ended before it connected to its pipe");
                return;
            }
            lock (_sendSignal) _writer = new FrameWriter(_pipe);
            new Thread(WriteLoop) { IsBackground = true, Name = $"pool-child-{Pid}-writer" }.Start();
            var reader = new FrameReader(_pipe, _maxFrameSize);
            while (reader.Read() is { } frame)
            {
                // The child maps its board before it says hello: the file is no longer needed (nothing left behind
                // in /dev/shm even if this process is killed).
                if (frame.Type == FrameType.Hello) Board?.Unlink();
                if (!reader.HasBufferedFrame)
                {
                    _listener.OnFrame(this, frame);
                    continue;
                }
                // Results that arrived in one pipe read go to the worker as one message.
                var batch = new List<Frame> { frame };
                while (reader.HasBufferedFrame && reader.Read() is { } more) batch.Add(more);
                _listener.OnFrames(this, batch);
            }
            FinishWithExit("the child closed its pipe");
        }
        catch (Exception e)
        {
            // A malformed frame or a broken pipe: this child cannot be trusted any more.
            Kill($"pipe error: {e.Message}");
            FinishWithExit($"pipe error: {e.Message}");
        }
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
