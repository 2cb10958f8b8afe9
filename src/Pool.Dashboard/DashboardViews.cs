namespace PoolCluster.Dashboard;

// What /api/cluster and /api/jobs return (JSON, camelCase) and what the page renders.

/// <summary><c>GET /api/cluster</c>: the members, each worker node's children and slots, and the throughput history.</summary>
public sealed record ClusterView(DateTime TakenUtc, IReadOnlyList<MemberView> Members, IReadOnlyList<ThroughputPoint> Throughput);

/// <summary>A cluster member (or this process outside a cluster) and what it last reported.</summary>
public sealed record MemberView(
    string Address,
    IReadOnlyList<string> Roles,
    string Status,
    bool Reachable,
    DateTime? UpSinceUtc,
    DateTime? ReportedUtc,
    long TasksCompleted,
    IReadOnlyList<ChildView> Children,
    IReadOnlyList<ShareView> Shares);

/// <summary>One child process of a worker node.</summary>
public sealed record ChildView(int Pid, string Pool, string State, string? Running, double? RunningSeconds, long TasksDone,
    long MemoryBytes, double CpuSeconds, double? CpuPercent);

/// <summary>Slots of a node a pool uses.</summary>
public sealed record ShareView(string Pool, int Slots);

/// <summary>Tasks (chunks) the cluster's children answered in the second ending at <see cref="AtUtc"/>.</summary>
public sealed record ThroughputPoint(DateTime AtUtc, double TasksPerSecond);

/// <summary><c>GET /api/jobs</c>: every pool (router) with its jobs and last failures.</summary>
public sealed record JobsView(DateTime TakenUtc, IReadOnlyList<PoolView> Pools);

/// <summary>One pool: its router (where <c>CancelJob</c> goes), the member it lives in, its queue and jobs.</summary>
public sealed record PoolView(string Router, string Member, int Workers, int Queued, int InFlight, IReadOnlyList<JobView> Jobs,
    IReadOnlyList<FailureView> Failures);

/// <summary>A job's progress in items; the rate is items per second over its life so far.</summary>
public sealed record JobView(long JobId, string Kind, long Total, long Done, long Failed, double Rate, double AgeSeconds,
    bool Finished, bool Cancelled);

/// <summary>A failed chunk with the exception as the child raised it (remote stack trace).</summary>
public sealed record FailureView(long JobId, string Task, string Type, string Message, string? StackTrace, DateTime AtUtc);

/// <summary><c>GET /api/config</c>: whether the page may offer actions, and why not.</summary>
public sealed record DashboardConfigView(string Actions, string? Reason);
