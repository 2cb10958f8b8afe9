using System.Diagnostics;
using System.IO.MemoryMappedFiles;
using PoolCluster.Worker.ChildProcess;

namespace PoolCluster.WireFormat.Frames;

/// <summary>
/// A child's status board: a few bytes of shared memory where the child says what it runs (task, item, since when)
/// and the parent reads it when it needs to know: at a deadline and when the child dies. The child writes with plain
/// memory stores (no syscall per item); a version counter, odd while a write is under way, lets the parent read a
/// consistent snapshot without a lock (a seqlock). Times are <see cref="Stopwatch.GetTimestamp"/> values: the
/// monotonic clock, the same in every process of the machine.
/// </summary>
internal sealed unsafe class StatusBoard : IDisposable
{
    // Layout: version (8), task id (8), since (8), item (4), state (4).
    private const int Size = 32;
    private const int VersionOffset = 0, TaskOffset = 8, SinceOffset = 16, ItemOffset = 24, StateOffset = 28;

    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private readonly bool _owner;
    private int _unlinked;
    private volatile bool _disposed;

    private StatusBoard(string path, FileStream stream, bool owner)
    {
        Path = path;
        _owner = owner;
        _file = MemoryMappedFile.CreateFromFile(stream, null, Size, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
        _view = _file.CreateViewAccessor(0, Size, MemoryMappedFileAccess.ReadWrite);
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _base = pointer + _view.PointerOffset;
    }

    /// <summary>The board's file, handed to the child on its command line.</summary>
    public string Path { get; }

    /// <summary>Parent side: a fresh board in shared memory (/dev/shm when the machine has it, else the temp directory).</summary>
    public static StatusBoard Create()
    {
        var directory = Directory.Exists("/dev/shm") ? "/dev/shm" : System.IO.Path.GetTempPath();
        var path = System.IO.Path.Combine(directory, $"poolcluster-board-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        try
        {
            stream.SetLength(Size);
            return new StatusBoard(path, stream, owner: true);
        }
        catch
        {
            stream.Dispose();
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Child side: the board its parent created.</summary>
    public static StatusBoard Open(string path) =>
        new(path, new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete), owner: false);

    // ---- child side: one writer, the task loop ----------------------------------------------------------------------

    /// <summary>The child started <paramref name="item"/> (index within the chunk) of task <paramref name="taskId"/> now.</summary>
    public void Running(long taskId, int item) => Publish(taskId, item, ChildActivity.Running, Stopwatch.GetTimestamp());

    /// <summary>Item <paramref name="item"/> of task <paramref name="taskId"/> runs since <paramref name="since"/> (a
    /// <see cref="Stopwatch.GetTimestamp"/> value): the oldest of several running items, once an older one ended.</summary>
    public void Running(long taskId, int item, long since) => Publish(taskId, item, ChildActivity.Running, since);

    /// <summary>The child finished task <paramref name="taskId"/> and runs no user code now.</summary>
    public void Idle(long taskId) => Publish(taskId, -1, ChildActivity.Idle, Stopwatch.GetTimestamp());

    private void Publish(long taskId, int item, ChildActivity state, long since)
    {
        ref var version = ref *(long*)(_base + VersionOffset);
        var v = version;
        Volatile.Write(ref version, v + 1); // odd: a reader retries
        Volatile.Write(ref *(long*)(_base + TaskOffset), taskId);
        Volatile.Write(ref *(long*)(_base + SinceOffset), since);
        Volatile.Write(ref *(int*)(_base + ItemOffset), item);
        Volatile.Write(ref *(int*)(_base + StateOffset), (int)state);
        Volatile.Write(ref version, v + 2);
    }

    // ---- parent side ---------------------------------------------------------------------------------------------

    /// <summary>A consistent snapshot of what the child last published (state Unknown if it never wrote).</summary>
    public BoardSnapshot Read()
    {
        if (_disposed) return default;
        var spin = new SpinWait();
        while (true)
        {
            var before = Volatile.Read(ref *(long*)(_base + VersionOffset));
            if ((before & 1) == 0)
            {
                var task = Volatile.Read(ref *(long*)(_base + TaskOffset));
                var since = Volatile.Read(ref *(long*)(_base + SinceOffset));
                var item = Volatile.Read(ref *(int*)(_base + ItemOffset));
                var state = (ChildActivity)Volatile.Read(ref *(int*)(_base + StateOffset));
                if (Volatile.Read(ref *(long*)(_base + VersionOffset)) == before)
                    return before == 0 ? default : new BoardSnapshot(task, item, since, state);
            }
            // A writer killed mid-write leaves the version odd for good: after a while, give up rather than spin.
            if (spin.Count > 100) return default;
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>Removes the file; both sides keep their mapping. The parent calls it once the child has mapped the board.</summary>
    public void Unlink()
    {
        if (!_owner || Interlocked.Exchange(ref _unlinked, 1) != 0) return;
        try { File.Delete(Path); } catch (Exception) { /* best effort: a stale 32-byte file in /dev/shm */ }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Unlink();
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}

/// <summary>What a child's task loop is doing, as its status board says.</summary>
internal enum ChildActivity
{
    /// <summary>Nothing published yet (or the board could not be read).</summary>
    Unknown = 0,
    /// <summary>Running user code: the item of the task since the time given.</summary>
    Running = 1,
    /// <summary>Between tasks since the time given: the task named is the last one it finished.</summary>
    Idle = 2,
}

/// <summary>One read of a status board. <see cref="Since"/> is a <see cref="Stopwatch.GetTimestamp"/> value.</summary>
internal readonly record struct BoardSnapshot(long TaskId, int Item, long Since, ChildActivity State);
