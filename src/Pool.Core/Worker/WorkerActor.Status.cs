using Akka.Actor;
using PoolCluster.Metrics;
using PoolCluster.Status;
using PoolCluster.WireFormat.Frames;
using PoolCluster.WireFormat.Messages;

namespace PoolCluster.Worker;

/// <summary>Status reporter → worker (same process): describe your children.</summary>
internal sealed record ReportChildren
{
    public static readonly ReportChildren Instance = new();
}

/// <summary>Worker → status reporter: its children now.</summary>
internal sealed record WorkerChildren(string Router, IReadOnlyList<ChildStatus> Children);

// The worker's part in metrics and the dashboard. Its children are described on the worker's own thread (the status
// board is read where it is owned), when the member's status reporter asks, once a second.
internal sealed partial class WorkerActor
{
    private void StartStatus()
    {
        PoolMetrics.WorkerStarted();
        StatusRegistry.Get(Context.System).Add(Self);
    }

    /// <summary>In every life stage: the member's status reporter asks for the children.</summary>
    private void ReceiveStatus() =>
        Receive<ReportChildren>(_ => Sender.Tell(new WorkerChildren(StatusRegistry.PathOf(Context.System, _router),
            _children.DescribeChildren(StatusRegistry.PathOf(Context.System, _router)))));

    private void StopStatus()
    {
        PoolMetrics.WorkerStopped();
        StatusRegistry.Get(Context.System).Remove(Self);
        foreach (var slot in _children.Slots) PoolMetrics.ChildGone(slot.Handle.Pid);
    }

    private void RecordAnswered(ChildSlot slot, FrameType type, int runMicros)
    {
        slot.Done++;
        if (type == FrameType.ChunkResult)
        {
            PoolMetrics.Completed.Add(1);
            PoolMetrics.Duration.Record(runMicros / 1_000_000.0);
            StatusRegistry.Get(Context.System).TaskCompleted();
        }
        else PoolMetrics.Failed.Add(1);
    }

    /// <summary>A child ended: a loss (exit, signal, timeout) unless it was asked to go; a chunk it took with it failed.</summary>
    private static void RecordEnded(ChildLoss loss, bool stopping)
    {
        PoolMetrics.ChildGone(loss.Pid);
        if (loss.Report is not null) PoolMetrics.Failed.Add(1);
        if (loss.TimedOut) PoolMetrics.ChildLost("timeout");
        else if (!loss.Expected && !stopping) PoolMetrics.ChildLost(loss.Exit.Signal is not null ? "signal" : "exit");
    }
}
