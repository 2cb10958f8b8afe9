using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using AkkaCluster = Akka.Cluster.Cluster;
using PoolCluster.Status;
using PoolCluster.WireFormat.Messages;

namespace PoolCluster.Dashboard;

/// <summary>
/// Keeps the latest snapshot every member publishes (distributed pub-sub in a cluster, the event stream otherwise) and
/// a few minutes of throughput; answers the dashboard's questions from memory. Membership comes from the cluster's
/// own state, so a member that never reported still shows.
/// </summary>
internal sealed class DashboardCollector : ReceiveActor, IWithTimers
{
    internal sealed record GetCluster;
    internal sealed record GetJobs;
    private sealed record Tick;

    private const int HistorySeconds = 300;
    private static readonly TimeSpan Stale = TimeSpan.FromSeconds(10);

    private readonly Dictionary<string, MemberSnapshot> _latest = new();
    private readonly Dictionary<string, long> _lastCompleted = new();
    private readonly LinkedList<ThroughputPoint> _history = new();
    private readonly AkkaCluster? _cluster;
    private DateTime _lastTick = DateTime.UtcNow;

    public DashboardCollector()
    {
        _cluster = Context.System is ExtendedActorSystem { Provider: ClusterActorRefProvider } ? AkkaCluster.Get(Context.System) : null;
        Receive<MemberSnapshot>(s => _latest[s.Address] = s);
        Receive<SubscribeAck>(_ => { });
        Receive<Tick>(_ => Sample());
        Receive<GetCluster>(_ => Sender.Tell(ClusterView()));
        Receive<GetJobs>(_ => Sender.Tell(JobsView()));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props() => Akka.Actor.Props.Create(() => new DashboardCollector());

    protected override void PreStart()
    {
        StatusRegistry.Get(Context.System); // this member reports itself too
        if (_cluster is not null) DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(StatusRegistry.Topic, Self));
        else Context.System.EventStream.Subscribe(Self, typeof(MemberSnapshot));
        Timers.StartPeriodicTimer("tick", new Tick(), TimeSpan.FromSeconds(1));
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    /// <summary>Once a second: what the members' children answered since the last sample.</summary>
    private void Sample()
    {
        var now = DateTime.UtcNow;
        long delta = 0;
        foreach (var (address, snapshot) in _latest.ToList())
        {
            if (now - snapshot.TakenUtc > Stale && !IsMember(address)) { _latest.Remove(address); _lastCompleted.Remove(address); continue; }
            if (_lastCompleted.TryGetValue(address, out var before) && snapshot.TasksCompleted > before) delta += snapshot.TasksCompleted - before;
            _lastCompleted[address] = snapshot.TasksCompleted;
        }
        var seconds = Math.Max(0.001, (now - _lastTick).TotalSeconds);
        _lastTick = now;
        _history.AddLast(new ThroughputPoint(now, delta / seconds));
        while (_history.Count > HistorySeconds) _history.RemoveFirst();
    }

    private bool IsMember(string address) =>
        _cluster?.State.Members.Any(m => m.Address.ToString() == address) ?? false;

    private ClusterView ClusterView()
    {
        var members = new List<MemberView>();
        var listed = new HashSet<string>();
        if (_cluster is not null)
        {
            var state = _cluster.State;
            var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
            foreach (var m in state.Members.OrderBy(m => m.Address.ToString()))
            {
                var address = m.Address.ToString();
                listed.Add(address);
                members.Add(View(address, m.Roles.OrderBy(r => r).ToList(), m.Status.ToString(), !unreachable.Contains(m.Address)));
            }
        }
        // Outside a cluster (a pool embedded in a web app), or a member that already left but reported lately.
        foreach (var address in _latest.Keys.Where(a => !listed.Contains(a)).OrderBy(a => a))
            members.Add(View(address, [], _cluster is null ? "Local" : "Gone", true));
        return new ClusterView(DateTime.UtcNow, members, _history.ToList());
    }

    private MemberView View(string address, IReadOnlyList<string> roles, string status, bool reachable)
    {
        _latest.TryGetValue(address, out var s);
        var children = s?.Children.Select(c => new ChildView(c.Pid, c.Pool, c.State, c.Running, c.RunningSeconds, c.TasksDone,
            c.MemoryBytes, c.CpuSeconds, c.CpuPercent)).ToList() ?? [];
        var shares = s?.Shares.Select(x => new ShareView(x.Pool, x.Slots)).ToList() ?? [];
        return new MemberView(address, roles, status, reachable, s?.UpSinceUtc, s?.TakenUtc, s?.TasksCompleted ?? 0, children, shares);
    }

    private JobsView JobsView()
    {
        var now = DateTime.UtcNow;
        var pools = new List<PoolView>();
        foreach (var s in _latest.Values.OrderBy(s => s.Address))
        foreach (var p in s.Pools)
        {
            var jobs = p.Jobs.Select(j =>
            {
                var age = ((j.FinishedUtc ?? now) - j.StartedUtc).TotalSeconds;
                return new JobView(j.JobId, j.Kind, j.Total, j.Done, j.Failed, age > 0 ? j.Done / age : 0, (now - j.StartedUtc).TotalSeconds, j.Finished, j.Cancelled);
            }).ToList();
            var failures = p.Failures.Select(f => new FailureView(f.JobId, f.Task, f.Type, f.Message, f.StackTrace, f.AtUtc)).ToList();
            pools.Add(new PoolView(p.Router, s.Address, p.Workers, p.Queued, p.InFlight, jobs, failures));
        }
        return new JobsView(now, pools);
    }
}
