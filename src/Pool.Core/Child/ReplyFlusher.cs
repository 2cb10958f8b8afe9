using System.Diagnostics;
using PoolCluster.WireFormat.Frames;

namespace PoolCluster.Child;

/// <summary>
/// Sends a child's task replies. A reply leaves at once when no more work waits or when its task ran for a while;
/// only while tiny tasks run back to back are replies held, so that several share one pipe write, and never for
/// longer than <see cref="MaxHold"/>: a reply must not wait behind the next task's user code, or the parent's task
/// clocks and the caller's results would wait with it. A small flusher thread sends held replies once they are that
/// old (the task loop itself may be stuck in a long task).
/// </summary>
internal sealed class ReplyFlusher
{
    /// <summary>How long a reply may be held for batching.</summary>
    public static readonly TimeSpan MaxHold = TimeSpan.FromMilliseconds(1);

    private static readonly long MaxHoldTicks = (long)(MaxHold.TotalSeconds * Stopwatch.Frequency);

    // How long the flusher keeps looking every millisecond after replies were last held, before it waits to be woken.
    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(50);

    private readonly FrameWriter _writer;
    private readonly object _gate = new();
    private long _heldSince; // timestamp of the oldest reply written and not flushed; 0: nothing held
    private bool _flusherIdle; // the flusher waits for held replies (not on a timer): it needs a pulse to look
    private long _lastHoldStart; // when replies last began to be held

    public ReplyFlusher(FrameWriter writer)
    {
        _writer = writer;
        new Thread(FlushLoop) { IsBackground = true, Name = "pool-child-flusher" }.Start();
    }

    /// <summary>Writes a task's reply; flushes it now unless more work waits, the task was short and the held replies are young.</summary>
    public void Reply(FrameType type, long id, int aux, byte[] payload, bool moreWaiting, TimeSpan ran)
    {
        lock (_gate)
        {
            _writer.Write(type, id, aux, payload);
            var now = Stopwatch.GetTimestamp();
            if (_heldSince == 0) _heldSince = now;
            if (!moreWaiting || ran >= MaxHold || now - _heldSince >= MaxHoldTicks)
            {
                FlushLocked();
                return;
            }
            if (_heldSince != now) return; // already held: the flusher watches it
            _lastHoldStart = now;
            if (_flusherIdle) Monitor.Pulse(_gate);
        }
    }

    /// <summary>Sends everything written so far.</summary>
    public void Flush()
    {
        lock (_gate) FlushLocked();
    }

    private void FlushLocked()
    {
        _writer.Flush();
        _heldSince = 0;
    }

    private void FlushLoop()
    {
        lock (_gate)
        {
            while (true)
            {
                if (_heldSince == 0)
                {
                    // While tiny tasks stream, holds start every few microseconds: rather than be woken for each, the
                    // flusher looks every millisecond until holds stop for a while.
                    if (Stopwatch.GetElapsedTime(_lastHoldStart) < Linger)
                    {
                        Monitor.Wait(_gate, 1);
                        continue;
                    }
                    _flusherIdle = true;
                    Monitor.Wait(_gate);
                    _flusherIdle = false;
                    continue;
                }
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), _heldSince + MaxHoldTicks);
                if (wait > TimeSpan.Zero)
                {
                    // Whole milliseconds: a zero wait would spin. The loop may flush meanwhile; then this finds a newer hold.
                    Monitor.Wait(_gate, (int)Math.Ceiling(wait.TotalMilliseconds));
                    continue;
                }
                try { FlushLocked(); }
                catch (Exception) { return; } // the pipe is gone: the reader thread ends the process
            }
        }
    }
}
