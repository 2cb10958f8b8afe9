using PoolCluster.WireFormat.Frames;

namespace PoolCluster.Worker.ChildProcess;

/// <summary>
/// Paces child starts for the whole process: a child counts as starting from its launch until it connects its pipe
/// (or ends first), and a start waits its turn while its pool's limit of starts is in progress. A new .NET runtime
/// costs ~180 ms of CPU to start; hundreds at once stall the machine and every actor thread with it. The limit is
/// per request, so a pool with a limit of 2 never launches a child while two others (of any pool) are starting.
/// Launches happen on one background thread, in request order, never on the requester's (an actor's) thread.
/// </summary>
internal static class ChildStarter
{
    private static readonly object Gate = new();
    private static readonly Queue<(ChildProcessHandle Child, int Limit)> Waiting = new();
    private static Thread? _launcher;
    private static int _starting;
    private static int _peak;

    /// <summary>Children launched and not yet connected (or ended), across every pool of this process.</summary>
    public static int Starting { get { lock (Gate) return _starting; } }

    /// <summary>Starts waiting for a slot and not cancelled.</summary>
    public static int Pending { get { lock (Gate) return Waiting.Count(w => !w.Child.StartCancelled); } }

    /// <summary>The most children that were starting at once since the last <see cref="ResetPeak"/> (for tests).</summary>
    public static int Peak { get { lock (Gate) return _peak; } }

    public static void ResetPeak() { lock (Gate) _peak = _starting; }

    /// <summary>Queues <paramref name="child"/>'s launch; it runs once fewer than <paramref name="limit"/> children are starting.</summary>
    public static void Enqueue(ChildProcessHandle child, int limit)
    {
        lock (Gate)
        {
            Waiting.Enqueue((child, Math.Max(1, limit)));
            if (_launcher is null)
            {
                _launcher = new Thread(LaunchLoop) { IsBackground = true, Name = "pool-child-starter" };
                _launcher.Start();
            }
            Monitor.PulseAll(Gate);
        }
    }

    /// <summary>A start slot taken for a launch is free again (the child connected, ended or never launched).</summary>
    public static void Release()
    {
        lock (Gate)
        {
            _starting--;
            Monitor.PulseAll(Gate);
        }
    }

    private static void LaunchLoop()
    {
        while (true)
        {
            ChildProcessHandle child;
            lock (Gate)
            {
                // Strict order: the head waits for its own limit, so a small limit is not starved by larger ones.
                while (Waiting.Count == 0 || (!Waiting.Peek().Child.StartCancelled && _starting >= Waiting.Peek().Limit))
                    Monitor.Wait(Gate);
                child = Waiting.Dequeue().Child;
                if (child.StartCancelled) continue; // cancelled while queued (pool disposed, worker stopped): no slot
                _starting++;
                _peak = Math.Max(_peak, _starting);
            }
            child.LaunchWithSlot(); // releases the slot itself, once the child connected or ended
        }
    }

    /// <summary>Wakes the launcher to drop a start cancelled while it waited at the head of the queue.</summary>
    public static void Cancelled()
    {
        lock (Gate) Monitor.PulseAll(Gate);
    }
}
