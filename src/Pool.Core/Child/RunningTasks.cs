using System.Diagnostics;
using PoolCluster.WireFormat.Frames;

namespace PoolCluster.Child;

/// <summary>
/// Inside a child: the chunks and items running now, so that a cancel from the parent (on the reader thread) reaches
/// the tokens of exactly that chunk's items, and so that the status board stays honest when several items run at once
/// (async functions with MaxConcurrentTasksPerChild above 1): the board names the <b>oldest</b> running item and since
/// when it runs, which is the one a per-item hard deadline reaches first. Items are an intrusive list in start order:
/// the synchronous loop reuses one node, so a running item costs no allocation.
/// </summary>
internal sealed class RunningTasks(StatusBoard? board)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<long, ChunkRun> _chunks = new();
    private readonly HashSet<long> _cancelledAhead = [];
    private long _highestStarted;
    private ItemRun? _oldest, _newest;

    /// <summary>A chunk starts; null when its job was cancelled before it started (answer it without running).</summary>
    public ChunkRun? BeginChunk(long taskId)
    {
        lock (_lock)
        {
            if (_cancelledAhead.Remove(taskId)) return null;
            var run = new ChunkRun(taskId);
            _chunks[taskId] = run;
            if (taskId > _highestStarted) _highestStarted = taskId;
            // Until its first item starts, the chunk's time counts as its first item's.
            if (_oldest is null) board?.Running(taskId, 0);
            return run;
        }
    }

    /// <summary>The chunk is done: once no item runs, the board says idle.</summary>
    public void EndChunk(ChunkRun run)
    {
        lock (_lock)
        {
            _chunks.Remove(run.TaskId);
            if (_oldest is null) board?.Idle(run.TaskId);
        }
    }

    /// <summary>An item starts with <paramref name="source"/> as its token's source. False when its chunk was cancelled
    /// (the source is cancelled then too): start no more items of it.</summary>
    public bool BeginItem(ChunkRun run, ItemRun item, int index, CancellationTokenSource source)
    {
        bool cancelled;
        lock (_lock)
        {
            item.TaskId = run.TaskId;
            item.Index = index;
            item.Since = Stopwatch.GetTimestamp();
            item.Source = source;
            item.Prev = _newest;
            item.Next = null;
            if (_newest is null) _oldest = item; else _newest.Next = item;
            _newest = item;
            if (ReferenceEquals(_oldest, item)) board?.Running(item.TaskId, index, item.Since);
            cancelled = run.Cancelled;
        }
        if (cancelled) source.Cancel();
        return !cancelled;
    }

    /// <summary>The item ended; if it was the oldest, the board names the next oldest with its own start time.</summary>
    public void EndItem(ItemRun item)
    {
        lock (_lock)
        {
            var wasOldest = ReferenceEquals(_oldest, item);
            if (item.Prev is null) _oldest = item.Next; else item.Prev.Next = item.Next;
            if (item.Next is null) _newest = item.Prev; else item.Next.Prev = item.Prev;
            item.Prev = item.Next = null;
            item.Source = null;
            if (wasOldest && _oldest is { } next) board?.Running(next.TaskId, next.Index, next.Since);
        }
    }

    /// <summary>Reader thread: the parent cancelled this task. A running chunk's items see their tokens cancelled and it
    /// starts no more items; a chunk still queued here is answered without running; a finished one is ignored.</summary>
    public void Cancel(long taskId)
    {
        List<CancellationTokenSource>? sources = null;
        lock (_lock)
        {
            if (_chunks.TryGetValue(taskId, out var run))
            {
                run.Cancelled = true;
                for (var i = _oldest; i is not null; i = i.Next)
                    if (i.TaskId == taskId && i.Source is { } s) (sources ??= []).Add(s);
            }
            else if (taskId > _highestStarted) _cancelledAhead.Add(taskId);
        }
        // Outside the lock: cancelling runs the token's callbacks (user code) on this thread.
        if (sources is null) return;
        foreach (var s in sources)
        {
            try { s.Cancel(); }
            catch (ObjectDisposedException) { }
            catch (AggregateException e) { Console.Error.WriteLine($"poolcluster child {Environment.ProcessId}: a cancellation callback threw: {e.InnerException}"); }
        }
    }
}

/// <summary>One running chunk, as <see cref="RunningTasks"/> knows it.</summary>
internal sealed class ChunkRun(long taskId)
{
    public long TaskId { get; } = taskId;

    /// <summary>Its job was cancelled: no more of its items start. Read and written under the registry's lock.</summary>
    public bool Cancelled { get; set; }
}

/// <summary>One running item: a node of <see cref="RunningTasks"/>' list (reused by the synchronous loop).</summary>
internal sealed class ItemRun
{
    public long TaskId;
    public int Index;
    public long Since;
    public CancellationTokenSource? Source;
    public ItemRun? Prev, Next;
}
