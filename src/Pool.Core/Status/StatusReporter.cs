using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using PoolCluster.WireFormat.Messages;
using PoolCluster.Worker;

namespace PoolCluster.Status;

/// <summary>
/// Once a second, gathers this member's children (asking its worker actors) and its routers' job books into one
/// <see cref="MemberSnapshot"/> and publishes it: on the distributed pub-sub topic in a cluster, on the event stream
/// otherwise. The dashboard (on the seed, or in the application that embeds a pool) keeps the latest of each member.
/// Also carries out the dashboard's <see cref="DrainMember"/>: the same coordinated shutdown as SIGTERM.
/// </summary>
internal sealed class StatusReporter : ReceiveActor, IWithTimers
{
    private sealed record Tick;
    private sealed record Gathered(IReadOnlyList<WorkerChildren> Workers);

    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan AskTimeout = TimeSpan.FromMilliseconds(800);

    private readonly StatusRegistry _registry;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<int, (double Cpu, DateTime At)> _lastCpu = new();
    private IActorRef? _mediator;
    private string _address = "";
    private DateTime? _upSince;
    private bool _gathering;

    public StatusReporter(StatusRegistry registry)
    {
        _registry = registry;
        Receive<Tick>(_ => Gather());
        Receive<Gathered>(m => Publish(m.Workers));
        Receive<DrainMember>(_ => Drain());
        Receive<MarkUp>(_ => _upSince ??= DateTime.UtcNow);
    }

    private sealed record MarkUp;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(StatusRegistry registry) => Akka.Actor.Props.Create(() => new StatusReporter(registry));

    protected override void PreStart()
    {
        var system = Context.System;
        _address = ((ExtendedActorSystem)system).Provider.DefaultAddress.ToString();
        if (system is ExtendedActorSystem { Provider: ClusterActorRefProvider })
        {
            _mediator = DistributedPubSub.Get(system).Mediator;
            var self = Self;
            Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() => self.Tell(new MarkUp()));
        }
        else _upSince = System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime();
        Timers.StartPeriodicTimer("tick", new Tick(), Interval);
    }

    private void Gather()
    {
        if (_gathering) return;
        _gathering = true;
        var asks = _registry.Workers.Select(w => w.Ask<WorkerChildren>(ReportChildren.Instance, AskTimeout)).ToList();
        Task.WhenAll(asks.Select(a => a.ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : null, TaskScheduler.Default)))
            .ContinueWith(t => new Gathered(t.Result.Where(r => r is not null).ToList()!), TaskScheduler.Default)
            .PipeTo(Self);
    }

    private void Publish(IReadOnlyList<WorkerChildren> workers)
    {
        _gathering = false;
        var now = DateTime.UtcNow;
        var children = new List<ChildStatus>();
        var seen = new HashSet<int>();
        foreach (var child in workers.SelectMany(w => w.Children))
        {
            double? percent = null;
            if (_lastCpu.TryGetValue(child.Pid, out var last) && now > last.At)
                percent = Math.Max(0, (child.CpuSeconds - last.Cpu) / (now - last.At).TotalSeconds * 100);
            _lastCpu[child.Pid] = (child.CpuSeconds, now);
            seen.Add(child.Pid);
            children.Add(child with { CpuPercent = percent });
        }
        foreach (var gone in _lastCpu.Keys.Where(p => !seen.Contains(p)).ToList()) _lastCpu.Remove(gone);
        // Slots per pool on this node: the workers each pool's router has here. Issue 10's node-wide fair share will
        // report its own figure through this field.
        var shares = workers.GroupBy(w => w.Router).Select(g => new PoolShare(g.Key, g.Count())).ToList();
        var pools = _registry.Books.Select(b => b.Snapshot()).ToList();
        var status = new MemberSnapshot(_address, now, _upSince, _registry.TasksCompleted, children, pools, shares);
        if (_mediator is not null) _mediator.Tell(new Publish(StatusRegistry.Topic, status));
        else Context.System.EventStream.Publish(status);
    }

    private void Drain()
    {
        _log.Warning("Drain requested on the dashboard: no new work, unstarted work handed back, running work finished, then leaving the cluster (as on SIGTERM)");
        _ = CoordinatedShutdown.Get(Context.System).Run(DashboardDrainReason.Instance);
    }
}

/// <summary>The coordinated-shutdown reason of a drain asked for on the dashboard (a requested, graceful leave).</summary>
public sealed class DashboardDrainReason : CoordinatedShutdown.Reason
{
    public static readonly DashboardDrainReason Instance = new();

    private DashboardDrainReason() { }

    public override int ExitCode => 0;
}
