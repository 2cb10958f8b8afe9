using PoolCluster.WireFormat.Messages;
using PoolCluster.WireFormat.Values;

namespace PoolCluster.WireFormat.Messages;

// Messages between the PoolRouter and its Worker actors. Workers may live on other nodes, so every message here is
// plain immutable data that Hyperion carries; user types only ever travel as opaque byte payloads, which lets a
// node run any client's tasks without loading the client's types into its actor system.

/// <summary>A user function bound to its types, serialized once per distinct function; children cache it by id.</summary>
internal sealed record FunctionSpec(int Id, byte[] Body) : IPoolProtocolMessage;

/// <summary>Router → worker: run this chunk (one task) in your child.</summary>
internal sealed record TaskChunk(long TaskId, FunctionSpec Function, byte[] Payload, string Description) : IPoolProtocolMessage
{
    /// <summary>The job-wide index of the chunk's first item (null for Apply), so errors can name the item that ran.</summary>
    public int? FirstItem { get; init; }
}

/// <summary>Router → worker: several chunks at once, when the worker had room for several (one message, not one each).</summary>
internal sealed record TaskChunks(IReadOnlyList<TaskChunk> Chunks) : IPoolProtocolMessage;

/// <summary>Worker → router: several chunks finished, answered by one pipe read of the child.</summary>
internal sealed record ChunksCompleted(IReadOnlyList<ChunkCompleted> Completed) : IPoolProtocolMessage;

/// <summary>Worker → router: I have room for this many more chunks (work pulling).</summary>
internal sealed record RequestWork(int Count) : IPoolProtocolMessage;

/// <summary>Worker → router: a chunk finished; the payload is the serialized per-item reply.</summary>
internal sealed record ChunkCompleted(long TaskId, byte[] Payload) : IPoolProtocolMessage;

/// <summary>Worker → router: the whole chunk failed in the child (for example its function could not be resolved).</summary>
internal sealed record ChunkFailed(long TaskId, ErrorInfo Error) : IPoolProtocolMessage;

/// <summary>Worker → router: the child died while running this chunk.</summary>
internal sealed record ChunkLost(long TaskId, string Reason, int? ExitCode, int? Signal) : IPoolProtocolMessage;

/// <summary>Worker → router: the pool's initializer threw in a child.</summary>
internal sealed record InitializerFailed(ErrorInfo Error) : IPoolProtocolMessage;

/// <summary>Worker → router: children cannot be started at all (repeated failures).</summary>
internal sealed record WorkerStartFailed(string Reason) : IPoolProtocolMessage;

/// <summary>Router → worker: stop. Graceful: finish what you hold, let the child exit; otherwise kill it now.</summary>
internal sealed record StopWorker(bool Graceful) : IPoolProtocolMessage;

/// <summary>Router → worker: another worker is idle; hand back up to this many chunks that have not started.</summary>
internal sealed record ReturnWork(int Count) : IPoolProtocolMessage;

/// <summary>Worker → router: the answer to <see cref="ReturnWork"/>: these chunks never started (possibly none); run them elsewhere.</summary>
internal sealed record WorkReturned(IReadOnlyList<long> TaskIds) : IPoolProtocolMessage;

/// <summary>Router → worker: the job of these tasks was cancelled. Drop the ones not sent to the child yet; cancel the
/// ones in the child (their tokens), and kill and replace the child if one still runs after the grace period. Nothing
/// is answered for dropped tasks; answers for the others are late and dropped by the router.</summary>
internal sealed record CancelTasks(IReadOnlyList<long> TaskIds) : IPoolProtocolMessage;
