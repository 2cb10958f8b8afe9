namespace PoolCluster.Router;

// Messages from the caller's WorkerPool to its router. Local only: they carry sinks and completion sources.

/// <summary>Queue these chunks.</summary>
internal sealed record Submit(IReadOnlyList<WorkItem> Items);

/// <summary>Drop the queued (not yet dispatched) chunks of a job whose consumer went away. Also sent by the
/// dashboard from another member, hence a protocol message.</summary>
internal sealed record CancelJob(long JobId) : Protocol.IPoolProtocolMessage;

/// <summary>Python's close(): take no more work, stop the workers once everything queued has finished.</summary>
internal sealed record ClosePool;

/// <summary>Python's terminate(): fail what is outstanding and stop the workers (killing children) now.</summary>
internal sealed record TerminatePool;

/// <summary>Asks how many workers the router can use now.</summary>
internal sealed record GetWorkerCount;
