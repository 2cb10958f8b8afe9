using Akka.Actor;
using Akka.Configuration;
using PoolCluster.Manager;
using PoolCluster.WireFormat.Functions;
using PoolCluster.WireFormat.Values;

namespace PoolCluster;

/// <summary>
/// Python's server process manager on actors: one actor holds named shared objects (dict, list, queue, value, locks,
/// semaphore, event, barrier, namespace, registered user objects) and hands out small serializable proxies. A proxy
/// captured in a task's closure works inside the pool's child processes and on other nodes; each call is one message
/// to the manager, so each single operation is atomic.
/// </summary>
/// <remarks>
/// <para><c>new PoolManager()</c> hosts the manager in this process. Design: it runs in a small local ActorSystem of
/// its own, and its actor reference is registered process-wide by its unique path; a standalone <see cref="WorkerPool"/> (another
/// local ActorSystem, no remoting) forwards its children's calls to that reference directly (an in-process actor
/// reference works across local actor systems), so neither needs remoting or a port. The proxies it makes call through
/// its own actor system, so managers of two clusters in one process stay apart.</para>
/// <para>In a cluster (<see cref="Connect"/>, or <see cref="Create"/> with a cluster member) the manager is a cluster
/// singleton on the oldest member with role <c>poolcluster.manager.role</c> (default <c>seed</c>). When that member
/// goes, the singleton restarts on the next one with the replicated content of dicts, lists, queues, values and
/// namespaces (written to a majority of the role's members before each answer; with one such member nothing survives).
/// Locks, semaphores, events, barriers and registered objects restart empty; proxies re-create objects that are
/// missing (empty, with their creation arguments) on first use.</para>
/// </remarks>
public sealed class PoolManager : IDisposable
{
    private static long _nextLocal;

    private readonly ActorSystem _system;
    private readonly bool _ownsSystem;
    private readonly IActorRef? _hosted;
    private readonly ManagerAddress _address;
    private readonly TimeSpan _callTimeout;
    private readonly ActorSystemManagerChannel _channel;
    private int _disposed;

    /// <summary>Hosts a manager in this process (objects live as long as this instance).</summary>
    public PoolManager()
        : this(ActorSystem.Create("poolmanager", LocalConfig()), ownsSystem: true) { }

    private PoolManager(ActorSystem system, bool ownsSystem)
    {
        _system = system;
        _ownsSystem = ownsSystem;
        var settings = ManagerSettings.Create(system.Settings.Config);
        _callTimeout = settings.CallTimeout;
        if (system is ExtendedActorSystem { Provider: Akka.Cluster.ClusterActorRefProvider })
        {
            ManagerSingleton.EnsureStarted(system, settings);
            _address = new ManagerAddress(null, settings.Role);
        }
        else
        {
            _hosted = system.ActorOf(ManagerActor.Props(), $"{ManagerResolver.ManagerActorName}-{Interlocked.Increment(ref _nextLocal)}-{Guid.NewGuid():N}");
            var path = _hosted.Path.ToStringWithAddress(((ExtendedActorSystem)system).Provider.DefaultAddress);
            LocalManagers.Register(path, _hosted);
            _address = new ManagerAddress(path, null);
        }
        // This manager's proxies call through this system: two clusters in one process never share a channel.
        _channel = ActorSystemManagerChannel.Opened(system);
    }

    /// <summary>
    /// Uses an existing actor system: a cluster member uses the cluster's manager singleton (and hosts it when it has
    /// the manager role); any other system hosts a manager of its own. The system stays yours to terminate.
    /// </summary>
    public static PoolManager Create(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return new PoolManager(system, ownsSystem: false);
    }

    /// <summary>
    /// Joins a running PoolCluster as a client and uses its manager singleton. Waits until this client is a member.
    /// </summary>
    /// <param name="seedAddress">A seed node, such as <c>akka.tcp://pool@127.0.0.1:4053</c>.</param>
    /// <param name="options">Only <see cref="PoolOptions.Hostname"/>, <see cref="PoolOptions.Port"/>,
    /// <see cref="PoolOptions.Config"/> and <see cref="PoolOptions.ConnectTimeout"/> are used.</param>
    /// <exception cref="TimeoutException">Could not join within the connect timeout (default <c>poolcluster.join-timeout</c>, 60 s); the message says why.</exception>
    public static PoolManager Connect(string seedAddress, PoolOptions? options = null) =>
        new(Cluster.ClusterClient.Join(seedAddress, options ?? new PoolOptions()), ownsSystem: true);

    /// <summary>
    /// Starts the cluster's manager singleton on <paramref name="system"/> if it is a cluster member with role
    /// <c>poolcluster.manager.role</c> (idempotent). Members with that role do this automatically through
    /// <c>akka.extensions</c> unless <c>poolcluster.manager.auto-start = off</c> or the application replaced
    /// <c>akka.extensions</c>; then call this on them (e.g. in Pool.Seed). Returns whether the manager can run here.
    /// </summary>
    public static bool StartClusterManager(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return ManagerSingleton.EnsureStarted(system, ManagerSettings.Create(system.Settings.Config));
    }

    /// <summary>The actor system this manager (or its connection to the cluster's manager) runs in.</summary>
    public ActorSystem System => _system;

    // ---- shared objects -----------------------------------------------------------------------------------------

    /// <summary>A shared dictionary (get-or-create by name; no name: a new private one).</summary>
    public SharedDict<TKey, TValue> Dict<TKey, TValue>(string? name = null) where TKey : notnull =>
        Made<SharedDict<TKey, TValue>>(name, ObjectKinds.Dict);

    /// <summary>A shared list (get-or-create by name; no name: a new private one).</summary>
    public SharedList<T> List<T>(string? name = null) =>
        Made<SharedList<T>>(name, ObjectKinds.List);

    /// <summary>A shared FIFO queue; <paramref name="maxSize"/> bounds it (null or 0: unbounded; only used when it is created).</summary>
    public SharedQueue<T> Queue<T>(string? name = null, int? maxSize = null)
    {
        if (maxSize < 0) throw new ArgumentOutOfRangeException(nameof(maxSize), maxSize, "maxSize cannot be negative");
        return Made<SharedQueue<T>>(name, ObjectKinds.Queue, [maxSize]);
    }

    /// <summary>A shared value, <paramref name="initial"/> when it is created.</summary>
    public SharedValue<T> Value<T>(string? name = null, T initial = default!) =>
        Made<SharedValue<T>>(name, ObjectKinds.Value, [initial]);

    /// <summary>A shared (non re-entrant) lock.</summary>
    public SharedLock Lock(string? name = null) => Made<SharedLock>(name, ObjectKinds.Lock);

    /// <summary>A shared re-entrant lock.</summary>
    public SharedRLock RLock(string? name = null) => Made<SharedRLock>(name, ObjectKinds.RLock);

    /// <summary>A shared bounded semaphore with <paramref name="count"/> permits (used when it is created).</summary>
    public SharedSemaphore Semaphore(string? name = null, int count = 1)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "A semaphore needs at least one permit");
        return Made<SharedSemaphore>(name, ObjectKinds.Semaphore, [count]);
    }

    /// <summary>A shared event.</summary>
    public SharedEvent Event(string? name = null) => Made<SharedEvent>(name, ObjectKinds.Event);

    /// <summary>A shared barrier for <paramref name="parties"/> participants (used when it is created).</summary>
    public SharedBarrier Barrier(string? name, int parties)
    {
        if (parties < 1) throw new ArgumentOutOfRangeException(nameof(parties), parties, "A barrier needs at least one party");
        return Made<SharedBarrier>(name, ObjectKinds.Barrier, [parties]);
    }

    /// <summary>A shared namespace of named attributes.</summary>
    public SharedNamespace Namespace(string? name = null) => Made<SharedNamespace>(name, ObjectKinds.Namespace);

    /// <summary>
    /// Hosts a user object in the manager: <paramref name="factory"/> runs once, in the manager's process, when the name
    /// is new; the returned proxy runs every interface call on that object there. Exceptions it throws come back with
    /// their type. The factory travels to the manager like a task's function (its captures must serialize), and the
    /// interface's assembly must load where the manager runs.
    /// </summary>
    public TInterface Register<TInterface>(string? name, Func<TInterface> factory) where TInterface : class
    {
        ArgumentNullException.ThrowIfNull(factory);
        if (!typeof(TInterface).IsInterface)
            throw new ArgumentException($"{typeof(TInterface).FullName} is not an interface: shared objects are used through an interface", nameof(TInterface));
        ClosureValidator.Validate(factory);
        var handle = Made<HostedObjectHandle>(name, ObjectKinds.Hosted, [factory, typeof(TInterface).AssemblyQualifiedName], newNamePrefix: "object");
        return handle.As<TInterface>();
    }

    /// <summary>A proxy of <typeparamref name="T"/> bound to this manager, after get-or-create of the object: one
    /// place for every kind (<paramref name="createArgs"/> are used when the object is new).</summary>
    private T Made<T>(string? name, string kind, object?[]? createArgs = null, string? newNamePrefix = null) where T : SharedObject
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var proxy = (T)SharedObject.Restore(typeof(T), ProxyState.Of(_address, NameOrNew(name, newNamePrefix ?? kind), kind, createArgs ?? [], _callTimeout));
        proxy.BindTo(_channel);
        proxy.Create();
        return proxy;
    }

    private static string NameOrNew(string? name, string kind)
    {
        if (name is null) return $"{kind}-{Guid.NewGuid():N}";
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return name;
    }

    private static Config LocalConfig() => PoolClusterConfig.Standalone("WARNING");

    /// <summary>
    /// Stops the manager hosted here (its objects are gone; proxies then raise <see cref="ManagerUnavailableException"/>),
    /// and terminates the actor system if this manager created it.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (_address.ActorPath is { } path) LocalManagers.Unregister(path);
        _channel.Close();
        if (_hosted is not null) _system.Stop(_hosted);
        if (_ownsSystem) _system.Terminate().Wait(TimeSpan.FromSeconds(10));
    }
}
