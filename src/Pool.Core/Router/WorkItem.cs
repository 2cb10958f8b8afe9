using PoolCluster.WireFormat.Messages;

namespace PoolCluster.Router;

/// <summary>One queued chunk and where its outcome goes. Lives only in the router's (the caller's) process.</summary>
internal sealed class WorkItem(long jobId, int chunkIndex, FunctionSpec function, byte[] payload, string description, IChunkSink sink)
{
    public long JobId { get; } = jobId;
    public int ChunkIndex { get; } = chunkIndex;
    public FunctionSpec Function { get; } = function;
    public byte[] Payload { get; } = payload;
    public string Description { get; } = description;

    /// <summary>The job-wide index of the chunk's first item (null for Apply).</summary>
    public int? FirstItem { get; init; }

    /// <summary>Items in the chunk (for a job's progress on the dashboard).</summary>
    public int ItemCount { get; init; } = 1;
    public IChunkSink Sink { get; } = sink;

    /// <summary>Assigned when dispatched; a fresh id per attempt, so a late answer from a lost worker is dropped.</summary>
    public long TaskId { get; set; }

    /// <summary>How often the item was lost with its worker's node and dispatched again.</summary>
    public int Retries { get; set; }

    /// <summary>How often the child running the item died and the item was run again.</summary>
    public int ChildLosses { get; set; }
}
