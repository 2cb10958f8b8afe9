using System.Diagnostics;
using PoolCluster.WireFormat.Frames;

namespace PoolCluster.Worker.ChildProcess;

/// <summary>
/// Every child process one owner (a pool) started and that has not exited yet, whatever state it is in: queued
/// behind the start limit, launching, connecting, running, standby or retiring. Closing the group is the owner's
/// guarantee that no child outlives it: queued starts are cancelled, the rest are killed and waited for. It does not
/// rely on the worker actors, which may be busy, stopped or not started yet.
/// </summary>
internal sealed class ChildGroup
{
    private readonly HashSet<ChildProcessHandle> _children = [];
    private bool _closed;

    /// <param name="maxConcurrentStarts">At most this many children (of any pool in this process) starting when one of
    /// this group's children is launched; see <see cref="ChildStarter"/>.</param>
    public ChildGroup(int maxConcurrentStarts) => MaxConcurrentStarts = Math.Max(1, maxConcurrentStarts);

    /// <summary>Children of workers that belong to no pool of this process (a worker node's): never closed.</summary>
    public static ChildGroup Unowned { get; } = new(DefaultMaxConcurrentStarts);

    /// <summary>Two starts per logical CPU: enough to start a pool quickly, few enough to keep the machine responsive.</summary>
    public static int DefaultMaxConcurrentStarts => 2 * Environment.ProcessorCount;

    public int MaxConcurrentStarts { get; }

    /// <summary>Children started and not yet seen to exit (for tests and diagnostics).</summary>
    public int Count { get { lock (_children) return _children.Count; } }

    /// <summary>Adds a child about to be started; false once the group is closed (the child must not start).</summary>
    public bool TryAdd(ChildProcessHandle child)
    {
        lock (_children)
        {
            if (_closed) return false;
            _children.Add(child);
            return true;
        }
    }

    /// <summary>The child exited (or never started).</summary>
    public void Remove(ChildProcessHandle child)
    {
        lock (_children) _children.Remove(child);
    }

    /// <summary>
    /// Closes the group: no child starts any more, queued starts are cancelled, every child still alive is killed,
    /// and this waits until each has exited, at most <paramref name="timeout"/> in all.
    /// </summary>
    /// <returns>The pids still alive at the deadline (empty when every child is gone).</returns>
    public IReadOnlyList<int> CloseAndKillAll(string reason, TimeSpan timeout)
    {
        ChildProcessHandle[] children;
        lock (_children)
        {
            _closed = true;
            children = [.. _children];
        }
        // A cancelled start is not reported: its worker is stopping, and must not count it as a child that failed to start.
        foreach (var child in children) child.Kill(reason, reportCancelledStart: false);
        var clock = Stopwatch.StartNew();
        var alive = new List<int>();
        foreach (var child in children)
        {
            var left = timeout - clock.Elapsed;
            if (!child.WaitUntilGone(left > TimeSpan.Zero ? left : TimeSpan.Zero)) alive.Add(child.Pid);
        }
        return alive;
    }
}
