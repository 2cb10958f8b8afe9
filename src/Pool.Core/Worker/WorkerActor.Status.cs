using System.Diagnostics;
using Akka.Actor;
using PoolCluster.ChildProcess;
using PoolCluster.Metrics;
using PoolCluster.Protocol;
using PoolCluster.Status;

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
        Receive<ReportChildren>(_ => Sender.Tell(new WorkerChildren(StatusRegistry.PathOf(Context.System, _router), DescribeChildren())));
    }

    private void StopStatus()
    {
        PoolMetrics.WorkerStopped();
        StatusRegistry.Get(Context.System).Remove(Self);
        foreach (var slot in AllSlots()) PoolMetrics.ChildGone(slot.Handle.Pid);
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

    /// <summary>A child ended: a loss (exit, signal, timeout) unless it was asked to go; chunks it took with it failed.</summary>
    private void RecordEnded(ChildSlot slot, ChildExit exit, bool expected, int chunksFailed)
    {
        PoolMetrics.ChildGone(slot.Handle.Pid);
        if (chunksFailed > 0) PoolMetrics.Failed.Add(chunksFailed);
        if (slot.TimedOut is not null) PoolMetrics.ChildLost("timeout");
        else if (!expected) PoolMetrics.ChildLost(exit.Signal is not null ? "signal" : "exit");
    }

    private List<ChildStatus> DescribeChildren()
    {
        var list = new List<ChildStatus>();
        var pool = StatusRegistry.PathOf(Context.System, _router);
        foreach (var slot in AllSlots())
        {
            var pid = slot.Handle.Pid;
            if (pid <= 0) continue; // still waiting for its turn to start
            string state;
            string? running = null;
            double? seconds = null;
            if (_retiring.Contains(slot)) state = "retiring";
            else if (!slot.Ready) state = "starting";
            else if (ReferenceEquals(slot, _standby)) state = "standby";
            else if (slot.InFlight.Count == 0) state = "idle";
            else
            {
                state = "running";
                var board = slot.Handle.Board?.Read() ?? default;
                if (board.State == ChildActivity.Running && InFlightChunk(slot, board.TaskId) is { } chunk)
                {
                    running = Describe(chunk, board.Item);
                    seconds = Stopwatch.GetElapsedTime(board.Since).TotalSeconds;
                }
                else
                {
                    running = slot.InFlight.Peek().Description;
                    seconds = Stopwatch.GetElapsedTime(slot.ProgressSince).TotalSeconds;
                }
            }
            list.Add(new ChildStatus(pid, pool, state, running, seconds, slot.Done, ChildMemory.ResidentBytes(pid), ChildCpu.Seconds(pid), null));
        }
        return list;
    }
}
