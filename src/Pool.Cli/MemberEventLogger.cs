using Akka.Actor;
using Akka.Cluster;
using AkkaCluster = Akka.Cluster.Cluster;

namespace PoolCluster.Cli;

/// <summary>Prints cluster membership changes (joined, up, left, removed, unreachable) to stdout, one line each.</summary>
internal sealed class MemberEventLogger : ReceiveActor
{
    private readonly string _programName;

    public MemberEventLogger(string programName)
    {
        _programName = programName;
        Receive<ClusterEvent.IMemberEvent>(e => Print($"member {e.Member.Address} {Describe(e)} [{string.Join(",", e.Member.Roles)}]"));
        Receive<ClusterEvent.UnreachableMember>(e => Print($"member {e.Member.Address} unreachable"));
        Receive<ClusterEvent.ReachableMember>(e => Print($"member {e.Member.Address} reachable again"));
    }

    public static Props Props(string programName) => Akka.Actor.Props.Create(() => new MemberEventLogger(programName));

    protected override void PreStart() =>
        AkkaCluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));

    protected override void PostStop() => AkkaCluster.Get(Context.System).Unsubscribe(Self);

    private static string Describe(ClusterEvent.IMemberEvent e) => e switch
    {
        ClusterEvent.MemberJoined => "joined",
        ClusterEvent.MemberUp => "up",
        ClusterEvent.MemberWeaklyUp => "weakly up",
        ClusterEvent.MemberLeft => "leaving",
        ClusterEvent.MemberExited => "exited",
        ClusterEvent.MemberDowned => "downed",
        ClusterEvent.MemberRemoved r => $"removed (was {r.PreviousStatus})",
        _ => e.Member.Status.ToString(),
    };

    private void Print(string line) => Console.WriteLine($"{DateTime.Now:HH:mm:ss} {_programName}: {line}");
}
