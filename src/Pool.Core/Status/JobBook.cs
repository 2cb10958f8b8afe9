using PoolCluster.Router;
using PoolCluster.WireFormat.Messages;
using PoolCluster.WireFormat.Values;

namespace PoolCluster.Status;

/// <summary>
/// A router's account of its jobs for the dashboard: items done, failed and total per job, and the last failures.
/// Written on the router's thread, read by the member's status reporter once a second, hence the lock.
/// </summary>
internal sealed class JobBook(string router)
{
    private const int KeepFinished = 20, KeepFailures = 10;
    private static readonly TimeSpan KeepFinishedFor = TimeSpan.FromMinutes(10);

    private readonly object _gate = new();
    private readonly Dictionary<long, Job> _jobs = new();
    private readonly LinkedList<FailureStatus> _failures = new();
    private int _queued, _inFlight, _workers;

    private sealed class Job(long id, string kind)
    {
        public long Id = id;
        public string Kind = kind;
        public long Total, Done, Failed;
        public int OpenChunks;
        public bool Cancelled;
        public DateTime Started = DateTime.UtcNow;
        public DateTime? Finished;
    }

    public string Router { get; } = router;

    public int Queued => Volatile.Read(ref _queued);

    /// <summary>Chunks of a job arrived; a job's total grows with each submission (Imap submits as it reads).</summary>
    public void Submitted(IReadOnlyList<WorkItem> items)
    {
        lock (_gate)
        {
            foreach (var item in items)
            {
                if (!_jobs.TryGetValue(item.JobId, out var job))
                    _jobs[item.JobId] = job = new Job(item.JobId, KindOf(item.Description));
                job.Total += item.ItemCount;
                job.OpenChunks++;
                job.Finished = null;
            }
        }
    }

    /// <summary>A chunk's reply arrived. Items that raised inside it count as failed: only a Hyperion reply can hold
    /// errors (compact replies are error-free), and only one naming <see cref="ErrorInfo"/> is decoded, off the
    /// router's thread, to learn which.</summary>
    public void Succeeded(WorkItem item, byte[] payload)
    {
        Close(item, failed: false);
        if (FastPayload.IsFast(payload) || payload.AsSpan().IndexOf(ErrorTypeMarker) < 0) return;
        ThreadPool.UnsafeQueueUserWorkItem(_ => CountItemErrors(item, payload), null);
    }

    private static readonly byte[] ErrorTypeMarker = System.Text.Encoding.UTF8.GetBytes(typeof(ErrorInfo).FullName!);

    private void CountItemErrors(WorkItem item, byte[] payload)
    {
        IChunkErrors? reply;
        try { reply = Wire.FromBytes<object>(payload) as IChunkErrors; }
        catch (Exception) { return; } // the caller's own decode reports it
        if (reply?.ErrorIndexes is not { Length: > 0 } bad || reply.Errors is not { } errors) return;
        lock (_gate)
        {
            if (_jobs.TryGetValue(item.JobId, out var job))
            {
                job.Done -= bad.Length;
                job.Failed += bad.Length;
            }
            for (var i = 0; i < bad.Length && i < errors.Length; i++)
            {
                var e = errors[i];
                var task = item.FirstItem is { } first ? $"item {first + bad[i]} of {item.Description}" : item.Description;
                _failures.AddFirst(new FailureStatus(item.JobId, task, e.TypeName.Split(",")[0], e.Message, e.StackTrace, DateTime.UtcNow));
            }
            while (_failures.Count > KeepFailures) _failures.RemoveLast();
        }
    }

    public void Failed(WorkItem item, Exception error)
    {
        lock (_gate)
        {
            _failures.AddFirst(new FailureStatus(item.JobId, item.Description, error.GetType().FullName ?? error.GetType().Name,
                error.Message, error.StackTrace ?? (error.InnerException?.StackTrace), DateTime.UtcNow));
            while (_failures.Count > KeepFailures) _failures.RemoveLast();
        }
        Close(item, failed: true);
    }

    /// <summary>A failure that names an <see cref="ErrorInfo"/> (the child's exception as thrown, with its remote stack).</summary>
    public void Failed(WorkItem item, ErrorInfo error)
    {
        lock (_gate)
        {
            _failures.AddFirst(new FailureStatus(item.JobId, item.Description, error.TypeName.Split(",")[0], error.Message, error.StackTrace, DateTime.UtcNow));
            while (_failures.Count > KeepFailures) _failures.RemoveLast();
        }
        Close(item, failed: true);
    }

    public void Cancelled(WorkItem item)
    {
        lock (_gate)
            if (_jobs.TryGetValue(item.JobId, out var job)) job.Cancelled = true;
        Close(item, failed: true);
    }

    public void Counts(int queued, int inFlight, int workers)
    {
        Volatile.Write(ref _queued, queued);
        Volatile.Write(ref _inFlight, inFlight);
        Volatile.Write(ref _workers, workers);
    }

    private void Close(WorkItem item, bool failed)
    {
        lock (_gate)
        {
            if (!_jobs.TryGetValue(item.JobId, out var job)) return;
            if (failed) job.Failed += item.ItemCount;
            else job.Done += item.ItemCount;
            if (--job.OpenChunks <= 0) job.Finished = DateTime.UtcNow;
        }
    }

    public PoolStatus Snapshot()
    {
        lock (_gate)
        {
            // Finished jobs stay visible for a while, the most recent few only.
            var now = DateTime.UtcNow;
            var finished = _jobs.Values.Where(j => j.Finished is not null).OrderByDescending(j => j.Finished).ToList();
            foreach (var old in finished.Skip(KeepFinished).Concat(finished.Where(j => now - j.Finished > KeepFinishedFor)))
                _jobs.Remove(old.Id);
            var jobs = _jobs.Values.OrderBy(j => j.Id)
                .Select(j => new JobStatus(j.Id, j.Kind, j.Total, j.Done, j.Failed, j.Finished is not null, j.Cancelled, j.Started, j.Finished))
                .ToList();
            return new PoolStatus(Router, Volatile.Read(ref _workers), Volatile.Read(ref _queued), Volatile.Read(ref _inFlight), jobs, _failures.ToList());
        }
    }

    // Descriptions start with the job's kind: "map job 7, chunk 3 (...)", "imap_unordered job 2, ...", "apply job 9".
    private static string KindOf(string description)
    {
        var space = description.IndexOf(' ');
        return space > 0 ? description[..space] : description;
    }
}
