using PoolCluster.Worker.ChildProcess;

namespace PoolCluster.WireFormat.Frames;

/// <summary>Kinds of frames on the pipe between a worker actor and its child process.</summary>
internal enum FrameType : byte
{
    // parent -> child
    /// <summary>Id: the child's limits (<see cref="ChildLimits.Pack"/>), Aux: soft task timeout in ms.
    /// Payload: serialized initializer body (may be empty). Sent once, first.</summary>
    Init = 1,
    /// <summary>Id: function id. Payload: serialized <c>ITaskBody</c>.</summary>
    DefineFunction = 2,
    /// <summary>Id: task id, Aux: function id. Payload: serialized chunk of items.</summary>
    RunChunk = 3,
    /// <summary>Finish what is queued, then exit.</summary>
    Shutdown = 4,
    /// <summary>Id: call id. Payload: the answer to a <see cref="ManagerRequest"/>, opaque to the pipe (a serialized
    /// <c>ManagerReply</c>, made by the worker's <c>ManagerRelay</c>).</summary>
    ManagerResponse = 5,
    /// <summary>Id: task id. Skip this chunk if it has not started (another worker runs it); answered by <see cref="Revoked"/>.</summary>
    Revoke = 6,
    /// <summary>Id: task id. Its job was cancelled: cancel the running chunk's tokens and start no more of its items; a
    /// chunk not started yet is answered without running. Handled by the child's reader thread, ahead of queued work.</summary>
    CancelTask = 7,
    /// <summary>Id: how many items of async functions the child may run at once (MaxConcurrentTasksPerChild). Sent after
    /// <see cref="Init"/> only when above 1.</summary>
    SetConcurrency = 8,

    // child -> parent
    /// <summary>Id: the child's pid. Sent once the pipe is connected.</summary>
    Hello = 10,
    /// <summary>The initializer ran (or there was none): the child takes tasks.</summary>
    Ready = 11,
    /// <summary>Payload: ErrorInfo of the initializer's exception. The child exits after sending it.</summary>
    InitFailed = 12,
    /// <summary>Id: task id, Aux: the chunk's run time in µs. Payload: serialized chunk reply (per-item results and errors).</summary>
    ChunkResult = 13,
    /// <summary>Id: task id. Payload: ErrorInfo for a failure of the whole chunk (function could not be resolved, ...).</summary>
    ChunkFailed = 14,
    /// <summary>Id: call id, Aux: timeout in ms. Payload: a shared-object call from user code, opaque to the pipe and the
    /// worker actor (a serialized <c>ManagerEnvelope</c>): the worker's <c>ManagerRelay</c> forwards it to its manager.</summary>
    ManagerRequest = 15,
    /// <summary>Id: task id, Aux: 1 when the chunk will not run here, 0 when it had already started or finished. Sent at once,
    /// ahead of the results of every chunk queued behind it.</summary>
    Revoked = 16,
}
