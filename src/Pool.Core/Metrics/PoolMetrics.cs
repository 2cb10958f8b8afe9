using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using PoolCluster.Worker.ChildProcess;

namespace PoolCluster.Metrics;

/// <summary>
/// The <c>PoolCluster</c> meter (System.Diagnostics.Metrics): what <c>dotnet-counters monitor --counters PoolCluster</c>
/// and OpenTelemetry's <c>AddMeter("PoolCluster")</c> see. A task is a chunk (as Python counts max-tasks-per-child).
/// Each member records what happens in it: routers (the caller) count submitted, retried and cancelled tasks and their
/// queue; workers (the node, or the caller for local workers) count completed and failed tasks, run time and children.
/// Tags are low-cardinality only (no task, job or pool ids).
/// </summary>
internal static class PoolMetrics
{
    public const string MeterName = "PoolCluster";

    private static readonly Meter Meter = new(MeterName, typeof(PoolMetrics).Assembly.GetName().Version?.ToString());
    private static readonly ConcurrentDictionary<Status.JobBook, byte> Routers = new();
    private static readonly ConcurrentDictionary<int, byte> ChildPids = new();
    private static int _workers;

    public static readonly Counter<long> Submitted = Meter.CreateCounter<long>("poolcluster.tasks.submitted", "{task}", "Tasks (chunks) submitted to a router");
    public static readonly Counter<long> Completed = Meter.CreateCounter<long>("poolcluster.tasks.completed", "{task}", "Tasks (chunks) a child answered");
    public static readonly Counter<long> Failed = Meter.CreateCounter<long>("poolcluster.tasks.failed", "{task}", "Tasks (chunks) that failed as a whole: lost with their child, timed out, or refused by the child");
    public static readonly Counter<long> Retried = Meter.CreateCounter<long>("poolcluster.tasks.retried", "{task}", "Tasks dispatched again after their worker or child was lost");
    public static readonly Counter<long> Cancelled = Meter.CreateCounter<long>("poolcluster.tasks.cancelled", "{task}", "Tasks dropped because their job was cancelled");
    public static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("poolcluster.task.duration", "s", "How long a task ran in its child");
    public static readonly Counter<long> ChildStarts = Meter.CreateCounter<long>("poolcluster.child.starts", "{process}", "Child processes started");
    public static readonly Counter<long> ChildLosses = Meter.CreateCounter<long>("poolcluster.child.losses", "{process}", "Child processes lost, by reason: exit, signal, timeout, memory");

    static PoolMetrics()
    {
        Meter.CreateObservableGauge("poolcluster.queue.length", () => Routers.Keys.Sum(b => (long)b.Queued), "{task}", "Tasks queued in this member's routers, not yet dispatched");
        Meter.CreateObservableGauge("poolcluster.workers", () => Volatile.Read(ref _workers), "{worker}", "Worker actors (each supervising a child) in this member");
        Meter.CreateObservableGauge("poolcluster.child.memory", ObserveMemory, "By", "Resident memory of this member's child processes, summed (per child on the dashboard)");
    }

    private static long ObserveMemory() => ChildPids.Keys.Sum(pid => ChildMemory.ResidentBytes(pid));

    public static void RouterStarted(Status.JobBook book) => Routers.TryAdd(book, 0);
    public static void RouterStopped(Status.JobBook book) => Routers.TryRemove(book, out _);
    public static void WorkerStarted() => Interlocked.Increment(ref _workers);
    public static void WorkerStopped() => Interlocked.Decrement(ref _workers);

    public static void ChildStarted(int pid)
    {
        ChildStarts.Add(1);
        if (pid > 0) ChildPids.TryAdd(pid, 0);
    }

    public static void ChildGone(int pid) => ChildPids.TryRemove(pid, out _);

    /// <summary>A child lost for <paramref name="reason"/>: exit, signal, timeout or memory.</summary>
    public static void ChildLost(string reason) => ChildLosses.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
