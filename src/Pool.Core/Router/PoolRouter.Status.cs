using PoolCluster.Metrics;
using PoolCluster.Status;

namespace PoolCluster.Router;

// The router's part in metrics and the dashboard: its job book (progress per job, last failures), kept current as
// outcomes arrive; the member's status reporter reads it once a second.
internal sealed partial class PoolRouter
{
    private JobBook? _jobBook;

    private JobBook _book => _jobBook ??= new JobBook(StatusRegistry.PathOf(Context.System, Self));

    private void StartStatus()
    {
        PoolMetrics.RouterStarted(_book);
        StatusRegistry.Get(Context.System).Add(_book);
    }

    private void StopStatus()
    {
        PoolMetrics.RouterStopped(_book);
        StatusRegistry.Get(Context.System).Remove(_book);
    }

    /// <summary>After every message: the job book's view of the queue, what is in flight and the workers.</summary>
    private void RecordCounts() => _book.Counts(_queue.Count, _inFlight.Count, _workers.Count);

    private void RecordSubmitted(IReadOnlyList<WorkItem> items)
    {
        _book.Submitted(items);
        PoolMetrics.Submitted.Add(items.Count);
    }

    /// <summary>Fails one chunk for its caller and in the job book.</summary>
    private void Fail(WorkItem item, Exception error)
    {
        _book.Failed(item, error);
        item.Sink.OnFailure(item.ChunkIndex, error);
    }

    /// <summary>Chunks of a cancelled job dropped (queued or running): counted, and the job shows as cancelled.</summary>
    private void RecordCancelled(IReadOnlyList<WorkItem> dropped)
    {
        if (dropped.Count == 0) return;
        PoolMetrics.Cancelled.Add(dropped.Count);
        foreach (var item in dropped) _book.Cancelled(item);
    }
}
