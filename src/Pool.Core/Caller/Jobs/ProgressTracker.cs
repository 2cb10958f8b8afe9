using System.Collections.Concurrent;
using System.Diagnostics;
using PoolCluster.Router;
using PoolCluster.WireFormat.Values;

namespace PoolCluster.Caller.Jobs;

/// <summary>
/// Counts a job's finished items and reports them to the caller's <see cref="IProgress{T}"/>: from a timer, at most
/// every <see cref="Interval"/> and only when something changed, and once more, last, when every item is in. Reports
/// never overlap and their counts never go down. A chunk whose reply is compact (<see cref="FastPayload"/>)
/// has no failed item; any other reply is decoded off the router's thread to count its failures.
/// </summary>
internal sealed class ProgressTracker : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly IProgress<JobProgress> _progress;
    private readonly Func<byte[], int> _countErrors;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly Lock _lock = new();
    private readonly ConcurrentDictionary<int, int> _chunkSizes = new();
    private readonly Timer _timer;
    private int _completed, _failed, _total = -1;
    private (int, int, int) _reported = (-1, -1, -1);
    private bool _done;

    // countErrors decodes a chunk reply and returns how many of its items failed.
    public ProgressTracker(IProgress<JobProgress> progress, Func<byte[], int> countErrors, int? total)
    {
        _progress = progress;
        _countErrors = countErrors;
        if (total is { } t) _total = t;
        _timer = new Timer(_ => Report(final: false), null, Interval, Interval);
    }

    /// <summary>A chunk of <paramref name="items"/> items was submitted as chunk <paramref name="chunkIndex"/>.</summary>
    public void Submitted(int chunkIndex, int items) => _chunkSizes[chunkIndex] = items;

    /// <summary>The lazy input is read to its end: the job has this many items.</summary>
    public void InputEnded(int total)
    {
        Volatile.Write(ref _total, total);
        FinishIfAllIn();
    }

    /// <summary>Called on the router's thread as a chunk's reply arrives.</summary>
    public void ChunkDone(int chunkIndex, byte[] payload)
    {
        var items = _chunkSizes.TryGetValue(chunkIndex, out var n) ? n : 0;
        if (FastPayload.IsFast(payload)) Add(items, 0);
        else ThreadPool.UnsafeQueueUserWorkItem(_ =>
        {
            int errors;
            try { errors = _countErrors(payload); }
            catch (Exception) { errors = items; } // the caller sees why when it decodes the reply itself
            Add(items - errors, errors);
        }, null);
    }

    /// <summary>Called on the router's thread when a whole chunk failed; a cancelled job is not "failed items".</summary>
    public void ChunkFailed(int chunkIndex, Exception error)
    {
        if (error is OperationCanceledException) { Stop(); return; }
        Add(0, _chunkSizes.TryGetValue(chunkIndex, out var n) ? n : 0);
    }

    private void Add(int completed, int failed)
    {
        Interlocked.Add(ref _completed, completed);
        Interlocked.Add(ref _failed, failed);
        FinishIfAllIn();
    }

    private void FinishIfAllIn()
    {
        var total = Volatile.Read(ref _total);
        if (total >= 0 && Volatile.Read(ref _completed) + Volatile.Read(ref _failed) >= total) Report(final: true);
    }

    /// <summary>The job ended with these exact counts (Map knows them once it decoded every reply): the last report.</summary>
    public void Complete(int completed, int failed)
    {
        lock (_lock)
        {
            if (_done) return;
            Volatile.Write(ref _completed, Math.Max(completed, Volatile.Read(ref _completed)));
            Volatile.Write(ref _failed, Math.Max(failed, Volatile.Read(ref _failed)));
        }
        Report(final: true);
    }

    /// <summary>No more reports (the job was cancelled or the consumer left).</summary>
    public void Stop()
    {
        lock (_lock) _done = true;
        _timer.Dispose();
    }

    private void Report(bool final)
    {
        lock (_lock)
        {
            if (_done) return;
            var total = Volatile.Read(ref _total);
            var now = (Volatile.Read(ref _completed), Volatile.Read(ref _failed), total);
            if (final) _done = true;
            else if (now == _reported) return;
            _reported = now;
            try { _progress.Report(new JobProgress(now.Item1, now.Item2, total < 0 ? null : total, Stopwatch.GetElapsedTime(_started))); }
            catch (Exception e) { Console.Error.WriteLine($"PoolCluster: a progress handler threw: {e}"); }
        }
        if (final) _timer.Dispose();
    }

    public void Dispose() => Stop();
}

/// <summary>Feeds a job's chunk outcomes to its <see cref="ProgressTracker"/>, then to the job itself: counted first, so
/// that a consumer that has every result has seen (compact replies) the last report too.</summary>
internal sealed class ProgressSink(IChunkSink inner, ProgressTracker tracker) : IChunkSink
{
    public void OnResult(int chunkIndex, byte[] payload)
    {
        tracker.ChunkDone(chunkIndex, payload);
        inner.OnResult(chunkIndex, payload);
    }

    public void OnFailure(int chunkIndex, Exception error)
    {
        tracker.ChunkFailed(chunkIndex, error);
        inner.OnFailure(chunkIndex, error);
    }
}
