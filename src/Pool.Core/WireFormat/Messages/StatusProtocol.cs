namespace PoolCluster.WireFormat.Messages;

// What every member publishes about itself once a second (topic "poolcluster-status" of Akka's distributed pub-sub,
// or the local event stream outside a cluster) and the dashboard's actions. Plain data: the seed's dashboard keeps
// the latest snapshot of each member and never polls processes.

/// <summary>One member's snapshot: its children (worker side) and its pools' jobs (router side).</summary>
internal sealed record MemberSnapshot(
    string Address,
    DateTime TakenUtc,
    DateTime? UpSinceUtc,
    long TasksCompleted,
    IReadOnlyList<ChildStatus> Children,
    IReadOnlyList<PoolStatus> Pools,
    IReadOnlyList<PoolShare> Shares) : IPoolProtocolMessage;

/// <summary>One child process: which pool (its router's path), idle or running which chunk and item since when.</summary>
internal sealed record ChildStatus(
    int Pid,
    string Pool,
    string State,
    string? Running,
    double? RunningSeconds,
    long TasksDone,
    long MemoryBytes,
    double CpuSeconds,
    double? CpuPercent) : IPoolProtocolMessage;

/// <summary>Slots of this node a pool uses now. Issue 10 (fair node-wide slots) refines this; until then, workers per pool.</summary>
internal sealed record PoolShare(string Pool, int Slots) : IPoolProtocolMessage;

/// <summary>One pool (router) in the member that owns it.</summary>
internal sealed record PoolStatus(
    string Router,
    int Workers,
    int Queued,
    int InFlight,
    IReadOnlyList<JobStatus> Jobs,
    IReadOnlyList<FailureStatus> Failures) : IPoolProtocolMessage;

/// <summary>A job's progress in items (done and failed of total) since it was submitted.</summary>
internal sealed record JobStatus(long JobId, string Kind, long Total, long Done, long Failed, bool Finished, bool Cancelled,
    DateTime StartedUtc, DateTime? FinishedUtc) : IPoolProtocolMessage;

/// <summary>A failed chunk of a job, with the remote exception.</summary>
internal sealed record FailureStatus(long JobId, string Task, string Type, string Message, string? StackTrace, DateTime AtUtc) : IPoolProtocolMessage;

/// <summary>Dashboard → a member's status reporter: drain this node as SIGTERM does (no new work, unstarted work handed
/// back, running work finished), then leave the cluster.</summary>
internal sealed record DrainMember : IPoolProtocolMessage;
