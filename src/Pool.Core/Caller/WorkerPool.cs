using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using PoolCluster.Caller.Jobs;
using PoolCluster.Cluster;
using PoolCluster.Router;
using PoolCluster.WireFormat.Functions;
using PoolCluster.WireFormat.Messages;
using PoolCluster.WireFormat.Values;
using PoolCluster.Worker;
using PoolCluster.Worker.ChildProcess;
using static PoolCluster.Child.Tasks.Adapters;

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
    private readonly ChildGroup _children;
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
        ValueDepthGuard.Allow(settings.MaxValueDepth);
        var initializer = options.Initializer is { } init ? FunctionShipping.SerializeBody(init, new Initializer(init), settings.MaxPayloadSize) : [];
        _functions = new FunctionCatalog(settings.MaxPayloadSize);
        _children = new ChildGroup(settings.MaxConcurrentChildStarts);
        _system = system ?? ActorSystem.Create("pool", StandaloneConfig());
        _ownsSystem = ownsSystem;
        _clustered = _system is ExtendedActorSystem { Provider: Akka.Cluster.ClusterActorRefProvider };
        Settings = settings;
        // In a cluster the pool's workers live on worker nodes; this process adds local ones only when asked.
        var localWorkers = _clustered ? options.Processes ?? 0 : settings.Processes;
        var setup = new RouterSetup(settings, WorkerSettings.From(settings, initializer), localWorkers,
            _clustered ? Cluster.ClusterSettings.Create(_system.Settings.Config).ForPool(options) : null, _stats, _stopped, _children);
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
        Cluster.ClusterSettings.CheckedWorkerRole(options);
        return new WorkerPool(ClusterClient.Join(seedAddress, options), ownsSystem: true, options);
    }

    // INFO: what children print reaches the log (and so the console) at INFO.
    private static Config StandaloneConfig() => PoolClusterConfig.Standalone("INFO");

    /// <summary>The number of worker processes serving the pool now: fixed for a standalone pool; in a cluster, its
    /// share of every worker node attached (it grows as nodes join, and moves as other pools on those nodes get work or
    /// go idle: a node's processes are shared fairly by every pool with work).</summary>
    public int Processes => _clustered ? _stats.Workers : Settings.Processes;

    /// <summary>The actor system the pool runs in.</summary>
    public ActorSystem System => _system;

    /// <summary>The pool's effective settings.</summary>
    public PoolSettings Settings { get; }

    // ---- Map ---------------------------------------------------------------------------------------------------
    // Every call takes an optional CancellationToken last (see AsyncResult.Cancel for what cancelling does) and, for
    // Map/StarMap, an optional IProgress<JobProgress>. Each function shape has an async twin (Func<T, Task<R>>...)
    // that the child awaits; C# picks it for async lambdas and methods returning Task<R>.

    /// <summary>Applies <paramref name="f"/> to every item in parallel and returns the results in order.
    /// Waits for every chunk; raises the first failure by position (no partial result).</summary>
    /// <param name="f">The function; it runs in a child process.</param>
    /// <param name="items">The items; read completely before work starts (use <see cref="Imap{T,R}(Func{T,R},IEnumerable{T},int,IProgress{JobProgress},CancellationToken)"/> for lazy input).</param>
    /// <param name="chunkSize">Items per task; default <c>ceil(len / (processes × 4))</c> as Python computes it.</param>
    /// <param name="progress">Receives item counts about every 100 ms and once at the end.</param>
    /// <param name="cancellationToken">Cancels the job: <see cref="OperationCanceledException"/> at once, queued chunks
    /// dropped everywhere, running ones' tokens cancelled (see <see cref="AsyncResult{R}.Cancel"/>).</param>
    public IReadOnlyList<R> Map<T, R>(Func<T, R> f, IEnumerable<T> items, int? chunkSize = null,
        IProgress<JobProgress>? progress = null, CancellationToken cancellationToken = default) =>
        MapAsync(f, items, chunkSize, null, null, progress, cancellationToken).Get();

    /// <summary>Asynchronous <see cref="Map{T,R}(Func{T,R},IEnumerable{T},int?,IProgress{JobProgress},CancellationToken)"/>: callbacks run on a pool thread before the result is ready.</summary>
    public AsyncResult<IReadOnlyList<R>> MapAsync<T, R>(Func<T, R> f, IEnumerable<T> items, int? chunkSize = null,
        Action<IReadOnlyList<R>>? callback = null, Action<Exception>? errorCallback = null,
        IProgress<JobProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(f);
        return SubmitMap(Sync<T, R>(f, () => f), items, chunkSize, callback, errorCallback, progress, cancellationToken);
    }

    /// <summary>Like <see cref="Map{T,R}(Func{T,R},IEnumerable{T},int?,IProgress{JobProgress},CancellationToken)"/> for functions that observe
    /// their token (soft deadline <see cref="PoolOptions.SoftTaskTimeout"/>, job cancellation) through a parameter.</summary>
    public IReadOnlyList<R> Map<T, R>(Func<T, CancellationToken, R> f, IEnumerable<T> items, int? chunkSize = null,
        IProgress<JobProgress>? progress = null, CancellationToken cancellationToken = default) =>
        MapAsync(f, items, chunkSize, null, null, progress, cancellationToken).Get();

    /// <summary>Asynchronous <see cref="Map{T,R}(Func{T,CancellationToken,R},IEnumerable{T},int?,IProgress{JobProgress},CancellationToken)"/>.</summary>
    public AsyncResult<IReadOnlyList<R>> MapAsync<T, R>(Func<T, CancellationToken, R> f, IEnumerable<T> items, int? chunkSize = null,
        Action<IReadOnlyList<R>>? callback = null, Action<Exception>? errorCallback = null,
        IProgress<JobProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(f);
        return SubmitMap(Sync<T, R>(f, () => new WithCancellation<T, R>(f).Invoke), items, chunkSize, callback, errorCallback, progress, cancellationToken);
    }

    /// <summary>Map with an async function: the child awaits it (several at once with <see cref="PoolOptions.MaxConcurrentTasksPerChild"/>).</summary>
    public IReadOnlyList<R> Map<T, R>(Func<T, Task<R>> f, IEnumerable<T> items, int? chunkSize = null,
        IProgress<JobProgress>? progress = null, CancellationToken cancellationToken = default) =>
        MapAsync<T, R>(f, items, chunkSize, null, null, progress, cancellationToken).Get();

    /// <summary>Asynchronous <see cref="Map{T,R}(Func{T,Task{R}},IEnumerable{T},int?,IProgress{JobProgress},CancellationToken)"/>.</summary>
    public AsyncResult<IReadOnlyList<R>> MapAsync<T, R>(Func<T, Task<R>> f, IEnumerable<T> items, int? chunkSize = null,
        Action<IReadOnlyList<R>>? callback = null, Action<Exception>? errorCallback = null,
        IProgress<JobProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(f);
        return SubmitMap(Async<T, R>(f, () => new AsyncFunc<T, R>(f).Invoke), items, chunkSize, callback, errorCallback, progress, cancellationToken);
    }

    /// <summary>Map with an async function that takes the item's token (soft deadline, job cancellation).</summary>
    public IReadOnlyList<R> Map<T, R>(Func<T, CancellationToken, Task<R>> f, IEnumerable<T> items, int? chunkSize = null,
        IProgress<JobProgress>? progress = null, CancellationToken cancellationToken = default) =>
        MapAsync<T, R>(f, items, chunkSize, null, null, progress, cancellationToken).Get();

    /// <summary>Asynchronous <see cref="Map{T,R}(Func{T,CancellationToken,Task{R}},IEnumerable{T},int?,IProgress{JobProgress},CancellationToken)"/>.</summary>
    public AsyncResult<IReadOnlyList<R>> MapAsync<T, R>(Func<T, CancellationToken, Task<R>> f, IEnumerable<T> items, int? chunkSize = null,
        Action<IReadOnlyList<R>>? callback = null, Action<Exception>? errorCallback = null,
        IProgress<JobProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(f);
        return SubmitMap(Async<T, R>(f, () => f), items, chunkSize, callback, errorCallback, progress, cancellationToken);
    }

    /// <summary>Like <see cref="Map{T,R}(Func{T,R},IEnumerable{T},int?,IProgress{JobProgress},CancellationToken)"/> for a two-argument function over pairs (Python's starmap).</summary>
    public IReadOnlyList<R> StarMap<T1, T2, R>(Func<T1, T2, R> f, IEnumerable<(T1, T2)> items, int? chunkSize = null,
        IProgress<JobProgress>? progress = null, CancellationToken cancellationToken = default) =>
        StarMapAsync(f, items, chunkSize, null, null, progress, cancellationToken).Get();

    /// <summary>Like <see cref="Map{T,R}(Func{T,R},IEnumerable{T},int?,IProgress{JobProgress},CancellationToken)"/> for a three-argument function over triples.</summary>
    public IReadOnlyList<R> StarMap<T1, T2, T3, R>(Func<T1, T2, T3, R> f, IEnumerable<(T1, T2, T3)> items, int? chunkSize = null,
        IProgress<JobProgress>? progress = null, CancellationToken cancellationToken = default) =>
        StarMapAsync(f, items, chunkSize, null, null, progress, cancellationToken).Get();

    /// <summary>StarMap with an async two-argument function.</summary>
    public IReadOnlyList<R> StarMap<T1, T2, R>(Func<T1, T2, Task<R>> f, IEnumerable<(T1, T2)> items, int? chunkSize = null,
        IProgress<JobProgress>? progress = null, CancellationToken cancellationToken = default) =>
        StarMapAsync<T1, T2, R>(f, items, chunkSize, null, null, progress, cancellationToken).Get();

    /// <summary>StarMap with an async three-argument function.</summary>
    public IReadOnlyList<R> StarMap<T1, T2, T3, R>(Func<T1, T2, T3, Task<R>> f, IEnumerable<(T1, T2, T3)> items, int? chunkSize = null,
        IProgress<JobProgress>? progress = null, CancellationToken cancellationToken = default) =>
        StarMapAsync<T1, T2, T3, R>(f, items, chunkSize, null, null, progress, cancellationToken).Get();

    /// <summary>Asynchronous <see cref="StarMap{T1,T2,R}(Func{T1,T2,R},IEnumerable{ValueTuple{T1,T2}},int?,IProgress{JobProgress},CancellationToken)"/>.</summary>
    public AsyncResult<IReadOnlyList<R>> StarMapAsync<T1, T2, R>(Func<T1, T2, R> f, IEnumerable<(T1, T2)> items, int? chunkSize = null,
        Action<IReadOnlyList<R>>? callback = null, Action<Exception>? errorCallback = null,
        IProgress<JobProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(f);
        return SubmitMap(Sync<(T1, T2), R>(f, () => new Star2<T1, T2, R>(f).Invoke), items, chunkSize, callback, errorCallback, progress, cancellationToken);
    }

    /// <summary>Asynchronous <see cref="StarMap{T1,T2,T3,R}(Func{T1,T2,T3,R},IEnumerable{ValueTuple{T1,T2,T3}},int?,IProgress{JobProgress},CancellationToken)"/>.</summary>
    public AsyncResult<IReadOnlyList<R>> StarMapAsync<T1, T2, T3, R>(Func<T1, T2, T3, R> f, IEnumerable<(T1, T2, T3)> items, int? chunkSize = null,
        Action<IReadOnlyList<R>>? callback = null, Action<Exception>? errorCallback = null,
        IProgress<JobProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(f);
        return SubmitMap(Sync<(T1, T2, T3), R>(f, () => new Star3<T1, T2, T3, R>(f).Invoke), items, chunkSize, callback, errorCallback, progress, cancellationToken);
    }

    /// <summary>Asynchronous StarMap with an async two-argument function.</summary>
    public AsyncResult<IReadOnlyList<R>> StarMapAsync<T1, T2, R>(Func<T1, T2, Task<R>> f, IEnumerable<(T1, T2)> items, int? chunkSize = null,
        Action<IReadOnlyList<R>>? callback = null, Action<Exception>? errorCallback = null,
        IProgress<JobProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(f);
        return SubmitMap(Async<(T1, T2), R>(f, () => new AsyncStar2<T1, T2, R>(f).Invoke), items, chunkSize, callback, errorCallback, progress, cancellationToken);
    }

    /// <summary>Asynchronous StarMap with an async three-argument function.</summary>
    public AsyncResult<IReadOnlyList<R>> StarMapAsync<T1, T2, T3, R>(Func<T1, T2, T3, Task<R>> f, IEnumerable<(T1, T2, T3)> items, int? chunkSize = null,
        Action<IReadOnlyList<R>>? callback = null, Action<Exception>? errorCallback = null,
        IProgress<JobProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(f);
        return SubmitMap(Async<(T1, T2, T3), R>(f, () => new AsyncStar3<T1, T2, T3, R>(f).Invoke), items, chunkSize, callback, errorCallback, progress, cancellationToken);
    }

    /// <summary>A function as it travels; <typeparamref name="R"/> is what a chunk's reply holds per item.</summary>
    private readonly record struct Shipped<T, R>(FunctionSpec Spec);

    private Shipped<T, R> Sync<T, R>(Delegate user, Func<Func<T, R>> adapt)
    {
        EnsureRunning();
        return new(_functions.Get(user, adapt));
    }

    private Shipped<T, R> Async<T, R>(Delegate user, Func<Func<T, CancellationToken, Task<R>>> adapt)
    {
        EnsureRunning();
        return new(_functions.GetAsync(user, adapt));
    }

    private AsyncResult<IReadOnlyList<R>> SubmitMap<T, R>(Shipped<T, R> shipped, IEnumerable<T> items, int? chunkSize,
        Action<IReadOnlyList<R>>? callback, Action<Exception>? errorCallback, IProgress<JobProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        EnsureRunning();
        var list = items as IReadOnlyList<T> ?? items.ToList();
        var size = chunkSize ?? DefaultChunkSize(list.Count);
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(chunkSize), chunkSize, "chunkSize must be at least 1");
        var function = shipped.Spec;
        var result = new AsyncResult<IReadOnlyList<R>>(callback, errorCallback);
        if (list.Count == 0)
        {
            progress?.Report(new JobProgress(0, 0, 0, TimeSpan.Zero));
            result.Succeed(Array.Empty<R>());
            return result;
        }

        var jobId = Interlocked.Increment(ref _nextJobId);
        var chunkCount = (list.Count + size - 1) / size;
        var tracker = progress is null ? null : new ProgressTracker(progress, CountErrors<R>, list.Count);
        var job = new MapJob<R>(chunkCount, list.Count, result, tracker);
        IChunkSink sink = tracker is null ? job : new ProgressSink(job, tracker);
        // Serialize every chunk before sending any: an item that cannot travel fails the call with nothing sent.
        var work = new WorkItem[chunkCount];
        for (var c = 0; c < chunkCount; c++)
        {
            var start = c * size;
            var chunk = new T[Math.Min(size, list.Count - start)];
            for (var i = 0; i < chunk.Length; i++) chunk[i] = list[start + i];
            tracker?.Submitted(c, chunk.Length);
            work[c] = new WorkItem(jobId, c, function, FunctionShipping.SerializeItems(chunk, start, Settings.MaxPayloadSize),
                $"map job {jobId}, chunk {c} (items {start}..{start + chunk.Length - 1})", sink) { FirstItem = start, ItemCount = chunk.Length };
        }
        if (cancellationToken.IsCancellationRequested) tracker?.Stop();
        else _router.Tell(new Submit(work));
        result.Bind(() => { tracker?.Stop(); _router.Tell(new CancelJob(jobId)); }, cancellationToken);
        return result;
    }

    /// <summary>How many items of a chunk reply failed (progress counts them apart).</summary>
    private static int CountErrors<R>(byte[] payload) => Wire.FromBytes<ChunkReply<R>>(payload).ErrorIndexes?.Length ?? 0;

    /// <summary>Python's default: <c>chunksize, extra = divmod(len, processes * 4); if extra: chunksize += 1</c>.</summary>
    internal int DefaultChunkSize(int count)
    {
        if (count == 0) return 1;
        var per = Math.Max(1, Processes) * 4;
        return count / per + (count % per == 0 ? 0 : 1);
    }

    // ---- Imap --------------------------------------------------------------------------------------------------

    /// <summary>Lazy, ordered map: reads the input only a bounded look-ahead ahead of the consumer, so endless inputs work.
    /// A failed item throws at its position; iteration may continue after it. Leaving the loop early (or a cancelled
    /// <paramref name="cancellationToken"/>) cancels what is queued and running for it.</summary>
    public IEnumerable<R> Imap<T, R>(Func<T, R> f, IEnumerable<T> items, int chunkSize = 1,
        IProgress<JobProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(f);
        return Stream(Sync<T, R>(f, () => f), items, chunkSize, ordered: true, progress, cancellationToken);
    }

    /// <summary>Like <see cref="Imap{T,R}(Func{T,R},IEnumerable{T},int,IProgress{JobProgress},CancellationToken)"/>, yielding results in completion order.</summary>
    public IEnumerable<R> ImapUnordered<T, R>(Func<T, R> f, IEnumerable<T> items, int chunkSize = 1,
        IProgress<JobProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(f);
        return Stream(Sync<T, R>(f, () => f), items, chunkSize, ordered: false, progress, cancellationToken);
    }

    /// <summary>Imap with an async function (the child awaits it).</summary>
    public IEnumerable<R> Imap<T, R>(Func<T, Task<R>> f, IEnumerable<T> items, int chunkSize = 1,
        IProgress<JobProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(f);
        return Stream(Async<T, R>(f, () => new AsyncFunc<T, R>(f).Invoke), items, chunkSize, ordered: true, progress, cancellationToken);
    }

    /// <summary>ImapUnordered with an async function (the child awaits it).</summary>
    public IEnumerable<R> ImapUnordered<T, R>(Func<T, Task<R>> f, IEnumerable<T> items, int chunkSize = 1,
        IProgress<JobProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(f);
        return Stream(Async<T, R>(f, () => new AsyncFunc<T, R>(f).Invoke), items, chunkSize, ordered: false, progress, cancellationToken);
    }

    /// <summary>Imap with an async function that takes the item's token.</summary>
    public IEnumerable<R> Imap<T, R>(Func<T, CancellationToken, Task<R>> f, IEnumerable<T> items, int chunkSize = 1,
        IProgress<JobProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(f);
        return Stream(Async<T, R>(f, () => f), items, chunkSize, ordered: true, progress, cancellationToken);
    }

    /// <summary>ImapUnordered with an async function that takes the item's token.</summary>
    public IEnumerable<R> ImapUnordered<T, R>(Func<T, CancellationToken, Task<R>> f, IEnumerable<T> items, int chunkSize = 1,
        IProgress<JobProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(f);
        return Stream(Async<T, R>(f, () => f), items, chunkSize, ordered: false, progress, cancellationToken);
    }

    private IEnumerable<R> Stream<T, R>(Shipped<T, R> shipped, IEnumerable<T> items, int chunkSize, bool ordered,
        IProgress<JobProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (chunkSize < 1) throw new ArgumentOutOfRangeException(nameof(chunkSize), chunkSize, "chunkSize must be at least 1");
        EnsureRunning();
        return new LazyEnumerable<R>(() =>
        {
            EnsureRunning();
            var stream = OpenStream(shipped, chunkSize, ordered, progress);
            return new ImapEnumerator<T, R>(items, chunkSize, Settings.ImapLookaheadPerProcess * Math.Max(1, Processes), stream.Job,
                stream.Submit, stream.Cancel, stream.Progress, cancellationToken);
        });
    }

    /// <summary>One Imap job's plumbing: its mailbox, how its chunks are submitted and how it is cancelled.</summary>
    private sealed record StreamPlumbing<T>(StreamJob Job, Action<int, List<T[]>> Submit, Action Cancel, ProgressTracker? Progress);

    private StreamPlumbing<T> OpenStream<T, R>(Shipped<T, R> shipped, int chunkSize, bool ordered, IProgress<JobProgress>? progress)
    {
        var function = shipped.Spec;
        var jobId = Interlocked.Increment(ref _nextJobId);
        var job = new StreamJob(ordered);
        var tracker = progress is null ? null : new ProgressTracker(progress, CountErrors<R>, total: null);
        IChunkSink sink = tracker is null ? job : new ProgressSink(job, tracker);
        var kind = ordered ? "imap" : "imap_unordered";
        return new StreamPlumbing<T>(job,
            (firstIndex, chunks) =>
            {
                var work = new WorkItem[chunks.Count];
                for (var c = 0; c < chunks.Count; c++)
                {
                    var index = firstIndex + c;
                    var first = index * chunkSize;
                    var payload = FunctionShipping.SerializeItems(chunks[c], first, Settings.MaxPayloadSize);
                    tracker?.Submitted(index, chunks[c].Length);
                    work[c] = new WorkItem(jobId, index, function, payload,
                        $"{kind} job {jobId}, chunk {index} (items {first}..{first + chunks[c].Length - 1})", sink) { FirstItem = first, ItemCount = chunks[c].Length };
                }
                _router.Tell(new Submit(work));
            },
            () =>
            {
                tracker?.Stop();
                _router.Tell(new CancelJob(jobId));
            },
            tracker);
    }

    // ---- Apply -------------------------------------------------------------------------------------------------

    /// <summary>Runs <paramref name="f"/> in one worker and waits for its result.</summary>
    public R Apply<R>(Func<R> f, CancellationToken cancellationToken = default) => ApplyAsync(f, null, null, cancellationToken).Get();

    /// <summary>Runs <c>f(arg)</c> in one worker and waits for its result.</summary>
    public R Apply<T, R>(Func<T, R> f, T arg, CancellationToken cancellationToken = default) => ApplyAsync(f, arg, null, null, cancellationToken).Get();

    /// <summary>Runs <c>f(arg1, arg2)</c> in one worker and waits for its result.</summary>
    public R Apply<T1, T2, R>(Func<T1, T2, R> f, T1 arg1, T2 arg2, CancellationToken cancellationToken = default) =>
        ApplyAsync(f, arg1, arg2, null, null, cancellationToken).Get();

    /// <summary>Runs <c>f(arg, token)</c> in one worker and waits for its result.</summary>
    public R Apply<T, R>(Func<T, CancellationToken, R> f, T arg, CancellationToken cancellationToken = default) =>
        ApplyAsync(f, arg, null, null, cancellationToken).Get();

    /// <summary>Runs an action in one worker and waits for it to finish.</summary>
    public void Apply<T>(Action<T> f, T arg, CancellationToken cancellationToken = default) => ApplyAsync(f, arg, null, cancellationToken).Get();

    /// <summary>Runs an async function in one worker (the child awaits it) and waits for its result.</summary>
    public R Apply<R>(Func<Task<R>> f, CancellationToken cancellationToken = default) => ApplyAsync<R>(f, null, null, cancellationToken).Get();

    /// <summary>Runs <c>await f(arg)</c> in one worker and waits for its result.</summary>
    public R Apply<T, R>(Func<T, Task<R>> f, T arg, CancellationToken cancellationToken = default) => ApplyAsync<T, R>(f, arg, null, null, cancellationToken).Get();

    /// <summary>Runs <c>await f(arg1, arg2)</c> in one worker and waits for its result.</summary>
    public R Apply<T1, T2, R>(Func<T1, T2, Task<R>> f, T1 arg1, T2 arg2, CancellationToken cancellationToken = default) =>
        ApplyAsync<T1, T2, R>(f, arg1, arg2, null, null, cancellationToken).Get();

    /// <summary>Runs <c>await f(arg, token)</c> in one worker and waits for its result.</summary>
    public R Apply<T, R>(Func<T, CancellationToken, Task<R>> f, T arg, CancellationToken cancellationToken = default) =>
        ApplyAsync<T, R>(f, arg, null, null, cancellationToken).Get();

    /// <summary>Runs <c>await f(arg)</c> (no result) in one worker and waits for it to finish.</summary>
    public void Apply<T>(Func<T, Task> f, T arg, CancellationToken cancellationToken = default) => ApplyAsync<T>(f, arg, null, null, cancellationToken).Get();

    /// <summary>Runs <paramref name="f"/> in one worker; the result arrives later.</summary>
    public AsyncResult<R> ApplyAsync<R>(Func<R> f, Action<R>? callback = null, Action<Exception>? errorCallback = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(f);
        return SubmitSingle(Sync<NoArg, R>(f, () => new Thunk<R>(f).Invoke), default, callback, errorCallback, cancellationToken);
    }

    /// <summary>Runs <c>f(arg)</c> in one worker; the result arrives later.</summary>
    public AsyncResult<R> ApplyAsync<T, R>(Func<T, R> f, T arg, Action<R>? callback = null, Action<Exception>? errorCallback = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(f);
        return SubmitSingle(Sync<T, R>(f, () => f), arg, callback, errorCallback, cancellationToken);
    }

    /// <summary>Runs <c>f(arg1, arg2)</c> in one worker; the result arrives later.</summary>
    public AsyncResult<R> ApplyAsync<T1, T2, R>(Func<T1, T2, R> f, T1 arg1, T2 arg2, Action<R>? callback = null, Action<Exception>? errorCallback = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(f);
        return SubmitSingle(Sync<(T1, T2), R>(f, () => new Star2<T1, T2, R>(f).Invoke), (arg1, arg2), callback, errorCallback, cancellationToken);
    }

    /// <summary>Runs <c>f(arg, token)</c> in one worker; the token is cancelled at the soft deadline or when the call is cancelled.</summary>
    public AsyncResult<R> ApplyAsync<T, R>(Func<T, CancellationToken, R> f, T arg, Action<R>? callback = null, Action<Exception>? errorCallback = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(f);
        return SubmitSingle(Sync<T, R>(f, () => new WithCancellation<T, R>(f).Invoke), arg, callback, errorCallback, cancellationToken);
    }

    /// <summary>Runs an action in one worker, e.g. <c>pool.ApplyAsync(Thread.Sleep, 10_000)</c>.</summary>
    public AsyncResult ApplyAsync<T>(Action<T> f, T arg, Action<Exception>? errorCallback = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(f);
        return new AsyncResult(SubmitSingle(Sync<T, NoResult>(f, () => new Procedure<T>(f).Invoke), arg, null, errorCallback, cancellationToken));
    }

    /// <summary>Runs an async function in one worker (the child awaits it); the result arrives later.</summary>
    public AsyncResult<R> ApplyAsync<R>(Func<Task<R>> f, Action<R>? callback = null, Action<Exception>? errorCallback = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(f);
        return SubmitSingle(Async<NoArg, R>(f, () => new AsyncThunk<R>(f).Invoke), default, callback, errorCallback, cancellationToken);
    }

    /// <summary>Runs <c>await f(arg)</c> in one worker; the result arrives later.</summary>
    public AsyncResult<R> ApplyAsync<T, R>(Func<T, Task<R>> f, T arg, Action<R>? callback = null, Action<Exception>? errorCallback = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(f);
        return SubmitSingle(Async<T, R>(f, () => new AsyncFunc<T, R>(f).Invoke), arg, callback, errorCallback, cancellationToken);
    }

    /// <summary>Runs <c>await f(arg1, arg2)</c> in one worker; the result arrives later.</summary>
    public AsyncResult<R> ApplyAsync<T1, T2, R>(Func<T1, T2, Task<R>> f, T1 arg1, T2 arg2, Action<R>? callback = null, Action<Exception>? errorCallback = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(f);
        return SubmitSingle(Async<(T1, T2), R>(f, () => new AsyncStar2<T1, T2, R>(f).Invoke), (arg1, arg2), callback, errorCallback, cancellationToken);
    }

    /// <summary>Runs <c>await f(arg, token)</c> in one worker; the result arrives later.</summary>
    public AsyncResult<R> ApplyAsync<T, R>(Func<T, CancellationToken, Task<R>> f, T arg, Action<R>? callback = null, Action<Exception>? errorCallback = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(f);
        return SubmitSingle(Async<T, R>(f, () => f), arg, callback, errorCallback, cancellationToken);
    }

    /// <summary>Runs <c>await f(arg)</c> (no result) in one worker; completion arrives later, and
    /// <c>callback</c> (no value to pass) runs once it completed.</summary>
    // As many parameters as the Func<T, R> form: C# then prefers this one for lambdas returning Task.
    public AsyncResult ApplyAsync<T>(Func<T, Task> f, T arg, Action? callback = null, Action<Exception>? errorCallback = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(f);
        return new AsyncResult(SubmitSingle(Async<T, NoResult>(f, () => new AsyncProcedure<T>(f).Invoke), arg,
            callback is null ? null : _ => callback(), errorCallback, cancellationToken));
    }

    private AsyncResult<R> SubmitSingle<T, R>(Shipped<T, R> shipped, T arg, Action<R>? callback, Action<Exception>? errorCallback, CancellationToken cancellationToken)
    {
        EnsureRunning();
        var payload = FunctionShipping.SerializeItems(new[] { arg }, 0, Settings.MaxPayloadSize);
        var result = new AsyncResult<R>(callback, errorCallback);
        var jobId = Interlocked.Increment(ref _nextJobId);
        if (!cancellationToken.IsCancellationRequested)
            _router.Tell(new Submit([new WorkItem(jobId, 0, shipped.Spec, payload, $"apply job {jobId}", new SingleJob<R>(result))]));
        result.Bind(() => _router.Tell(new CancelJob(jobId)), cancellationToken);
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
