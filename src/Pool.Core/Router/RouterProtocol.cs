using PoolCluster.WireFormat.Messages;

namespace PoolCluster.Router;

// Messages from the caller's WorkerPool to its router. Local only: they carry sinks and completion sources.

/// <summary>Queue these chunks.</summary>
internal sealed record Submit(IReadOnlyList<WorkItem> Items);

/// <summary>Cancel a job: its queued chunks are dropped here and at every worker, its running chunks see their tokens
/// cancelled (a child still running one after CancelGracePeriod is killed and replaced), and its result fails with
/// <see cref="OperationCanceledException"/>. Sent by AsyncResult.Cancel, a caller's CancellationToken, an Imap consumer
/// that stopped early, and operators (dashboard, from another member: hence a protocol message). Cancelling a finished job does nothing.</summary>
internal sealed record CancelJob(long JobId) : IPoolProtocolMessage;

/// <summary>Python's close(): take no more work, stop the workers once everything queued has finished.</summary>
internal sealed record ClosePool;

/// <summary>Python's terminate(): fail what is outstanding and stop the workers (killing children) now.</summary>
internal sealed record TerminatePool;
