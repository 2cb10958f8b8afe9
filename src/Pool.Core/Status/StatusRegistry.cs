using System.Collections.Concurrent;
using Akka.Actor;
using PoolCluster.WireFormat.Messages;

namespace PoolCluster.Status;

/// <summary>
/// Per actor system: the routers' job books and the worker actors of this member, which the status reporter
/// (<c>/system/poolcluster-status</c>, started with the registry) turns into one <see cref="MemberSnapshot"/>
/// a second.
/// </summary>
internal sealed class StatusRegistry : IExtension
{
    public const string ReporterName = "poolcluster-status";

    /// <summary>Where members publish their snapshots (distributed pub-sub topic).</summary>
    public const string Topic = "poolcluster-status";

    private readonly ConcurrentDictionary<JobBook, byte> _books = new();
    private readonly ConcurrentDictionary<IActorRef, byte> _workers = new();
    private long _tasksCompleted;

    public StatusRegistry(ExtendedActorSystem system) =>
        Reporter = system.SystemActorOf(StatusReporter.Props(this), ReporterName);

    public static StatusRegistry Get(ActorSystem system) => system.WithExtension<StatusRegistry, StatusRegistryProvider>();

    public IActorRef Reporter { get; }

    public IEnumerable<JobBook> Books => _books.Keys;

    public IEnumerable<IActorRef> Workers => _workers.Keys;

    /// <summary>Tasks (chunks) children of this member answered, for the dashboard's throughput chart.</summary>
    public long TasksCompleted => Interlocked.Read(ref _tasksCompleted);

    /// <summary>The actor's path with this member's address (a local reference's own path has none), as other
    /// members must name it.</summary>
    public static string PathOf(ActorSystem system, IActorRef actor) =>
        actor.Path.ToStringWithAddress(((ExtendedActorSystem)system).Provider.DefaultAddress);

    public void Add(JobBook book) => _books.TryAdd(book, 0);
    public void Remove(JobBook book) => _books.TryRemove(book, out _);
    public void Add(IActorRef worker) => _workers.TryAdd(worker, 0);
    public void Remove(IActorRef worker) => _workers.TryRemove(worker, out _);
    public void TaskCompleted() => Interlocked.Increment(ref _tasksCompleted);
}

internal sealed class StatusRegistryProvider : ExtensionIdProvider<StatusRegistry>
{
    public override StatusRegistry CreateExtension(ExtendedActorSystem system) => new(system);
}
