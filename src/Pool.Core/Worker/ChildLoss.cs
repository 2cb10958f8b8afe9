using PoolCluster.WireFormat.Frames;
using PoolCluster.WireFormat.Messages;
using PoolCluster.Worker.ChildProcess;

namespace PoolCluster.Worker;

/// <summary>
/// What a child's death means for its worker, as <see cref="ChildLifecycle.OnExited"/> worked it out: the report for
/// the router on the chunk it blamed (a <see cref="ChunkLost"/>, or a <see cref="ChunkFailed"/> with a timeout for a
/// chunk killed at its deadline; null when nothing was blamed), whether it died before it was ready (a sign that children cannot start at all), and whether it had been asked to
/// go (retired, recycled: not a loss for the metrics).
/// </summary>
internal sealed record ChildLoss(
    int Pid,
    ChildExit Exit,
    IPoolProtocolMessage? Report,
    bool DiedBeforeReady,
    bool Expected = false,
    bool TimedOut = false);
