using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using PoolCluster.Jobs;
using PoolCluster.Cluster;
using PoolCluster.Protocol;
using PoolCluster.Router;
using PoolCluster.Tasks;
using PoolCluster.Worker;
using static PoolCluster.Tasks.Adapters;

namespace PoolCluster;

/// <summary>
/// A pool of worker processes, Python's <c>multiprocessing.Pool</c> for .NET. Each worker is an actor that supervises
/// one child OS process running the user's functions, so a crash, a leak or a hang in user code kills a child,
/// never the caller. Functions travel as delegates (static methods, lambdas, closures whose captures serialize).
/// Leaving a <c>using</c> block terminates the pool, as Python's <c>with</c> block does.
/// </summary>
public sealed partial class WorkerPool : IDisposable, IAsyncDisposable
{
    private const int Running = 0, Closed = 1, Terminated = 2;
    private static long _nextJobId;

    private readonly ActorSystem _system;
    private readonly bool _ownsSystem;
    private readonly bool _clustered;
    private readonly IActorRef _router;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PoolStats _stats = new();
    private readonly FunctionCatalog _functions;
    private readonly ChildProcess.ChildGroup _children;
    private int _state;

    // How long Terminate waits for the children to exit once it killed them (SIGKILL: normally milliseconds).
    private static readonly TimeSpan ChildExitWait = TimeSpan.FromSeconds(5);

    /// <summary>Creates a pool with <see cref="Environment.ProcessorCount"/> worker processes.</summary>
    public WorkerPool() : this(new PoolOptions()) { }

    /// <summary>Creates a pool with the given number of worker processes (at least 1).</summary>
    public WorkerPool(int processes) : this(new PoolOptions { Processes = processes }) { }

    /// <summary>Creates a standalone pool on this machine with its own actor system.</summary>
    public WorkerPool(PoolOptions options)
        : this(null, ownsSystem: true, options ?? throw new ArgumentNullException(nameof(options))) { }

    private WorkerPool(ActorSystem? system, bool ownsSystem, PoolOptions options)
    {
        var settings = PoolSettings.Create(system?.Settings.Config ?? Config.Empty).Apply(options);
        Serialization.ValueDepthGuard.Allow(settings.MaxValueDepth);
        var initializer = options.Initializer is { } init ? FunctionShipping.SerializeBody(init, new Initializer(init), settings.MaxPayloadSize) : [];
        _functions = new FunctionCatalog(settings.MaxPayloadSize);
        _children = new ChildProcess.ChildGroup(settings.MaxConcurrentChildStarts);
        _system = system ?? ActorSystem.Create("pool", StandaloneConfig());
        _ownsSystem = ownsSystem;
        _clustered = _system is ExtendedActorSystem { Provider: Akka.Cluster.ClusterActorRefProvider };
        Settings = settings;
        // In a cluster the pool's workers live on worker nodes; this process adds local ones only when asked.
        var localWorkers = _clustered ? options.Processes ?? 0 : settings.Processes;
        var setup = new RouterSetup(settings, WorkerSettings.From(settings, initializer), localWorkers,
            _clustered ? Cluster.ClusterSettings.Create(_system.Settings.Config) : null, _stats, _stopped, _children);
        _router = _system.ActorOf(PoolRouter.Props(setup), $"pool-router-{Interlocked.Increment(ref _nextJobId)}");
    }

    /// <summary>
    /// Creates a pool inside an existing actor system (an Akka.NET application embedding the pool). When the system is
    /// a cluster member, the pool uses the workers of every member with the worker role, as they join and leave, and
    /// starts <see cref="PoolOptions.Processes"/> local workers only when that option is set.
    /// </summary>
    public static WorkerPool Create(ActorSystem system, PoolOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        return new WorkerPool(system, ownsSystem: false, options ?? new PoolOptions());
    }

    /// <summary>
    /// Joins a running PoolCluster as a client (no workers of its own unless <see cref="PoolOptions.Processes"/> is set)
    /// and uses every worker in the cluster. Waits until this client is a member.
    /// </summary>
    /// <param name="seedAddress">A seed node, such as <c>akka.tcp://pool@127.0.0.1:4053</c>.</param>
    /// <param name="options">Pool options; <see cref="PoolOptions.Hostname"/> and <see cref="PoolOptions.Port"/> set this client's address.</param>
    /// <exception cref="TimeoutException">The client could not join within <see cref="PoolOptions.ConnectTimeout"/> (default <c>poolcluster.join-timeout</c>, 60 s); the message says why (connection refused, TLS certificate refused, no answer).</exception>
    public static WorkerPool Connect(string seedAddress, PoolOptions? options = null)
    {
        options ??= new PoolOptions();
        // Bad options fail here, before this client joins anything.
        PoolSettings.Create(options.Config ?? Config.Empty).Apply(options);
        return new WorkerPool(ClusterClient.Join(seedAddress, options), ownsSystem: true, options);
    }

    // INFO: what children print reaches the log (and so the console) at INFO.
    private static Config StandaloneConfig() => PoolClusterConfig.Standalone("INFO");

    /// <summary>The number of worker processes the pool can use now: fixed for a standalone pool; in a cluster, the
    /// workers of every worker node currently attached (it grows as nodes join).</summary>
    public int Processes => _clustered ? _stats.Workers : Settings.Processes;

    /// <summary>The actor system the pool runs in.</summary>
    public ActorSystem System => _system;

    /// <summary>The pool's effective settings.</summary>
    public PoolSettings Settings { get; }

    // ---- Map ---------------------------------------------------------------------------------------------------

    /// <summary>Applies <paramref name="f"/> to every item in parallel and returns the results in order.
    /// Waits for every chunk; raises the first failure by position (no partial result).</summary>
    /// <param name="f">The function; it runs in a child process.</param>
    /// <param name="items">The items; read completely before work starts (use <see cref="Imap{T,R}"/> for lazy input).</param>
    /// <param name="chunkSize">Items per task; default <c>ceil(len / (processes × 4))</c> as Python computes it.</param>
    public IReadOnlyList<R> Map<T, R>(Func<T, R> f, IEnumerable<T> items, int? chunkSize = null) =>
        MapAsync(f, items, chunkSize).Get();

    /// <summary>Asynchronous <see cref="Map{T,R}(Func{T,R},IEnumerable{T},int?)"/>: callbacks run on a pool thread before the result is ready.</summary>
    public AsyncResult<IReadOnlyList<R>> MapAsync<T, R>(Func<T, R> f, IEnumerable<T> items, int? chunkSize = null,
        Action<IReadOnlyList<R>>? callback = null, Action<Exception>? errorCallback = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        return SubmitMap<T, R>(f, () => f, items, chunkSize, callback, errorCallback);
    }

    /// <summary>Like <see cref="Map{T,R}(Func{T,R},IEnumerable{T},int?)"/> for a two-argument function over pairs (Python's starmap).</summary>
    public IReadOnlyList<R> StarMap<T1, T2, R>(Func<T1, T2, R> f, IEnumerable<(T1, T2)> items, int? chunkSize = null) =>
        StarMapAsync(f, items, chunkSize).Get();

    /// <summary>Like <see cref="Map{T,R}(Func{T,R},IEnumerable{T},int?)"/> for a three-argument function over triples.</summary>
    public IReadOnlyList<R> StarMap<T1, T2, T3, R>(Func<T1, T2, T3, R> f, IEnumerable<(T1, T2, T3)> items, int? chunkSize = null) =>
        StarMapAsync(f, items, chunkSize).Get();

    /// <summary>Asynchronous <see cref="StarMap{T1,T2,R}"/>.</summary>
    public AsyncResult<IReadOnlyList<R>> StarMapAsync<T1, T2, R>(Func<T1, T2, R> f, IEnumerable<(T1, T2)> items, int? chunkSize = null,
        Action<IReadOnlyList<R>>? callback = null, Action<Exception>? errorCallback = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        return SubmitMap<(T1, T2), R>(f, () => new Star2<T1, T2, R>(f).Invoke, items, chunkSize, callback, errorCallback);
    }

    /// <summary>Asynchronous <see cref="StarMap{T1,T2,T3,R}"/>.</summary>
    public AsyncResult<IReadOnlyList<R>> StarMapAsync<T1, T2, T3, R>(Func<T1, T2, T3, R> f, IEnumerable<(T1, T2, T3)> items, int? chunkSize = null,
        Action<IReadOnlyList<R>>? callback = null, Action<Exception>? errorCallback = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        return SubmitMap<(T1, T2, T3), R>(f, () => new Star3<T1, T2, T3, R>(f).Invoke, items, chunkSize, callback, errorCallback);
    }

    private AsyncResult<IReadOnlyList<R>> SubmitMap<T, R>(Delegate user, Func<Func<T, R>> adapt, IEnumerable<T> items, int? chunkSize,
        Action<IReadOnlyList<R>>? callback, Action<Exception>? errorCallback)
    {
        ArgumentNullException.ThrowIfNull(items);
        EnsureRunning();
        var list = items as IReadOnlyList<T> ?? items.ToList();
        var size = chunkSize ?? DefaultChunkSize(list.Count);
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(chunkSize), chunkSize, "chunkSize must be at least 1");
        var function = _functions.Get(user, adapt);
        var result = new AsyncResult<IReadOnlyList<R>>(callback, errorCallback);
        if (list.Count == 0)
        {
            result.Succeed(Array.Empty<R>());
            return result;
        }

        var jobId = Interlocked.Increment(ref _nextJobId);
        var chunkCount = (list.Count + size - 1) / size;
        var sink = new MapJob<R>(chunkCount, list.Count, result);
        // Serialize every chunk before sending any: an item that cannot travel fails the call with nothing sent.
        var work = new WorkItem[chunkCount];
        for (var c = 0; c < chunkCount; c++)
        {
            var start = c * size;
            var chunk = new T[Math.Min(size, list.Count - start)];
            for (var i = 0; i < chunk.Length; i++) chunk[i] = list[start + i];
            work[c] = new WorkItem(jobId, c, function, FunctionShipping.SerializeItems(chunk, start, Settings.MaxPayloadSize),
                $"map job {jobId}, chunk {c} (items {start}..{start + chunk.Length - 1})", sink) { FirstItem = start };
        }
        _router.Tell(new Submit(work));
        return result;
    }

    /// <summary>Python's default: <c>chunksize, extra = divmod(len, processes * 4); if extra: chunksize += 1</c>.</summary>
    internal int DefaultChunkSize(int count)
    {
        if (count == 0) return 1;
        var per = Math.Max(1, Processes) * 4;
        return count / per + (count % per == 0 ? 0 : 1);
    }

    /// <summary>Like <see cref="Map{T,R}(Func{T,R},IEnumerable{T},int?)"/> for functions that observe the soft deadline
    /// (<see cref="PoolOptions.SoftTaskTimeout"/>) through a <see cref="CancellationToken"/> parameter.</summary>
    public IReadOnlyList<R> Map<T, R>(Func<T, CancellationToken, R> f, IEnumerable<T> items, int? chunkSize = null) =>
        MapAsync(f, items, chunkSize).Get();

    /// <summary>Asynchronous <see cref="Map{T,R}(Func{T,CancellationToken,R},IEnumerable{T},int?)"/>.</summary>
    public AsyncResult<IReadOnlyList<R>> MapAsync<T, R>(Func<T, CancellationToken, R> f, IEnumerable<T> items, int? chunkSize = null,
        Action<IReadOnlyList<R>>? callback = null, Action<Exception>? errorCallback = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        return SubmitMap<T, R>(f, () => new WithCancellation<T, R>(f).Invoke, items, chunkSize, callback, errorCallback);
    }

    // ---- Imap --------------------------------------------------------------------------------------------------

    /// <summary>Lazy, ordered map: reads the input only a bounded look-ahead ahead of the consumer, so endless inputs work.
    /// A failed item throws at its position; iteration may continue after it.</summary>
    public IEnumerable<R> Imap<T, R>(Func<T, R> f, IEnumerable<T> items, int chunkSize = 1) => Stream(f, items, chunkSize, ordered: true);

    /// <summary>Like <see cref="Imap{T,R}"/>, yielding results in completion order.</summary>
    public IEnumerable<R> ImapUnordered<T, R>(Func<T, R> f, IEnumerable<T> items, int chunkSize = 1) => Stream(f, items, chunkSize, ordered: false);

    private IEnumerable<R> Stream<T, R>(Func<T, R> f, IEnumerable<T> items, int chunkSize, bool ordered)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(items);
        if (chunkSize < 1) throw new ArgumentOutOfRangeException(nameof(chunkSize), chunkSize, "chunkSize must be at least 1");
        EnsureRunning();
        var function = _functions.Get<T, R>(f, () => f);
        return new LazyEnumerable<R>(() =>
        {
            EnsureRunning();
            var jobId = Interlocked.Increment(ref _nextJobId);
            var job = new StreamJob(ordered);
            var kind = ordered ? "imap" : "imap_unordered";
            return new ImapEnumerator<T, R>(items, chunkSize, Settings.ImapLookaheadPerProcess * Math.Max(1, Processes), job,
                (firstIndex, chunks) =>
                {
                    var work = new WorkItem[chunks.Count];
                    for (var c = 0; c < chunks.Count; c++)
                    {
                        var index = firstIndex + c;
                        var first = index * chunkSize;
                        var payload = FunctionShipping.SerializeItems(chunks[c], first, Settings.MaxPayloadSize);
                        work[c] = new WorkItem(jobId, index, function, payload,
                            $"{kind} job {jobId}, chunk {index} (items {first}..{first + chunks[c].Length - 1})", job) { FirstItem = first };
                    }
                    _router.Tell(new Submit(work));
                },
                () => _router.Tell(new CancelJob(jobId)));
        });
    }

    // ---- Apply -------------------------------------------------------------------------------------------------

    /// <summary>Runs <paramref name="f"/> in one worker and waits for its result.</summary>
    public R Apply<R>(Func<R> f) => ApplyAsync(f).Get();

    /// <summary>Runs <c>f(arg)</c> in one worker and waits for its result.</summary>
    public R Apply<T, R>(Func<T, R> f, T arg) => ApplyAsync(f, arg).Get();

    /// <summary>Runs <c>f(arg1, arg2)</c> in one worker and waits for its result.</summary>
    public R Apply<T1, T2, R>(Func<T1, T2, R> f, T1 arg1, T2 arg2) => ApplyAsync(f, arg1, arg2).Get();

    /// <summary>Runs <paramref name="f"/> in one worker; the result arrives later.</summary>
    public AsyncResult<R> ApplyAsync<R>(Func<R> f, Action<R>? callback = null, Action<Exception>? errorCallback = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        return SubmitSingle<NoArg, R>(f, () => new Thunk<R>(f).Invoke, default, callback, errorCallback);
    }

    /// <summary>Runs <c>f(arg)</c> in one worker; the result arrives later.</summary>
    public AsyncResult<R> ApplyAsync<T, R>(Func<T, R> f, T arg, Action<R>? callback = null, Action<Exception>? errorCallback = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        return SubmitSingle<T, R>(f, () => f, arg, callback, errorCallback);
    }

    /// <summary>Runs <c>f(arg1, arg2)</c> in one worker; the result arrives later.</summary>
    public AsyncResult<R> ApplyAsync<T1, T2, R>(Func<T1, T2, R> f, T1 arg1, T2 arg2, Action<R>? callback = null, Action<Exception>? errorCallback = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        return SubmitSingle<(T1, T2), R>(f, () => new Star2<T1, T2, R>(f).Invoke, (arg1, arg2), callback, errorCallback);
    }

    /// <summary>Runs <c>f(arg, token)</c> in one worker; the token is cancelled at the soft deadline.</summary>
    public AsyncResult<R> ApplyAsync<T, R>(Func<T, CancellationToken, R> f, T arg, Action<R>? callback = null, Action<Exception>? errorCallback = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        return SubmitSingle<T, R>(f, () => new WithCancellation<T, R>(f).Invoke, arg, callback, errorCallback);
    }

    /// <summary>Runs <c>f(arg, token)</c> in one worker and waits for its result.</summary>
    public R Apply<T, R>(Func<T, CancellationToken, R> f, T arg) => ApplyAsync(f, arg).Get();

    /// <summary>Runs an action in one worker, e.g. <c>pool.ApplyAsync(Thread.Sleep, 10_000)</c>.</summary>
    public AsyncResult ApplyAsync<T>(Action<T> f, T arg, Action<Exception>? errorCallback = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        return new AsyncResult(SubmitSingle<T, NoResult>(f, () => new Procedure<T>(f).Invoke, arg, null, errorCallback));
    }

    /// <summary>Runs an action in one worker and waits for it to finish.</summary>
    public void Apply<T>(Action<T> f, T arg) => ApplyAsync(f, arg).Get();

    private AsyncResult<R> SubmitSingle<T, R>(Delegate user, Func<Func<T, R>> adapt, T arg, Action<R>? callback, Action<Exception>? errorCallback)
    {
        EnsureRunning();
        var function = _functions.Get(user, adapt);
        var payload = FunctionShipping.SerializeItems(new[] { arg }, 0, Settings.MaxPayloadSize);
        var result = new AsyncResult<R>(callback, errorCallback);
        var jobId = Interlocked.Increment(ref _nextJobId);
        _router.Tell(new Submit([new WorkItem(jobId, 0, function, payload, $"apply job {jobId}", new SingleJob<R>(result))]));
        return result;
    }

    // ---- Lifecycle ---------------------------------------------------------------------------------------------

    private void EnsureRunning()
    {
        if (Volatile.Read(ref _state) != Running) throw new InvalidOperationException("Pool not running");
    }

    /// <summary>Python's close(): no new work is accepted; queued work finishes, then the workers exit.</summary>
    public void Close()
    {
        if (Interlocked.CompareExchange(ref _state, Closed, Running) == Running) _router.Tell(new ClosePool());
    }

    /// <summary>Python's terminate(): stops the workers now, killing their child processes; outstanding results fail.
    /// Returns once every child process this pool started is gone, whatever state it was in (starting, running,
    /// standby, retiring); starts still waiting their turn are cancelled.</summary>
    public void Terminate()
    {
        if (Interlocked.Exchange(ref _state, Terminated) != Terminated) _router.Tell(new TerminatePool());
        _stopped.Task.Wait(Settings.ChildShutdownTimeout);
        KillRemainingChildren();
    }

    // The workers kill their children as they stop; this is the guarantee when they could not (busy, stopped early,
    // not started yet, a child still launching), independent of the actors.
    private void KillRemainingChildren()
    {
        var alive = _children.CloseAndKillAll("the pool was terminated", ChildExitWait);
        if (alive.Count > 0)
            _system.Log.Error("{0} child processes of the pool did not exit within {1} s of being killed: {2}",
                alive.Count, ChildExitWait.TotalSeconds, string.Join(", ", alive));
    }

    /// <summary>Waits for the workers to exit. Only after <see cref="Close"/> or <see cref="Terminate"/>, as in Python.</summary>
    public void Join()
    {
        EnsureStopping();
        _stopped.Task.Wait();
    }

    /// <summary>Waits at most <paramref name="timeout"/> for the workers to exit; false if they have not.</summary>
    public bool Join(TimeSpan timeout)
    {
        EnsureStopping();
        return _stopped.Task.Wait(timeout);
    }

    private void EnsureStopping()
    {
        if (Volatile.Read(ref _state) == Running)
            throw new InvalidOperationException("Join is only allowed after Close or Terminate, as in Python's Pool");
    }

    /// <summary>Terminates the pool (as leaving Python's with-block does) and, if the pool owns it, its actor system.</summary>
    public void Dispose()
    {
        Terminate();
        if (_ownsSystem) TerminateOwnSystem().Wait(TimeSpan.FromSeconds(10));
    }

    // The children are gone: what remains of the system's shutdown is not news for the user's console.
    private Task TerminateOwnSystem()
    {
        _system.EventStream.SetLogLevel(Akka.Event.LogLevel.WarningLevel);
        return _system.Terminate();
    }

    /// <inheritdoc cref="Dispose"/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _state, Terminated) != Terminated) _router.Tell(new TerminatePool());
        try { await _stopped.Task.WaitAsync(Settings.ChildShutdownTimeout).ConfigureAwait(false); }
        catch (TimeoutException) { /* the children are killed below either way */ }
        await Task.Run(KillRemainingChildren).ConfigureAwait(false);
        if (_ownsSystem) await TerminateOwnSystem().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
    }
}
