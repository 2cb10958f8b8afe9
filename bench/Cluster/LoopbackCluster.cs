using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Akka.Configuration;
using PoolCluster.Cluster;

namespace PoolCluster.Bench.Cluster;

/// <summary>
/// A PoolCluster on loopback for the cluster scenarios, started as samples/ClusterDemo starts one: a Pool.Seed process,
/// Pool.Node processes (<c>--processes 2</c> each), and a client <see cref="WorkerPool"/> in this process joined with
/// <see cref="WorkerPool.Connect"/>. Every wait is bounded by the caller's deadline; <see cref="Dispose"/> stops the
/// client, then the nodes, then the seed (SIGTERM, kill after a bound), whatever state the start reached.
/// </summary>
internal sealed class LoopbackCluster : IDisposable
{

    private readonly Action<string> _log;
    private readonly List<MemberProcess> _nodes = [];
    private MemberProcess? _seed;
    private WorkerPool? _pool;
    private Task<WorkerPool>? _connecting;

    private LoopbackCluster(Action<string> log) => _log = log;

    /// <summary>The seed's address.</summary>
    public string SeedAddress { get; private set; } = "";

    /// <summary>The client pool.</summary>
    public WorkerPool Pool => _pool ?? throw new InvalidOperationException("the client is not connected");

    /// <summary>Worker nodes started.</summary>
    public int Nodes => _nodes.Count;

    /// <summary>Starts a seed, one node offering <paramref name="processesPerNode"/>, and a connected client whose
    /// <see cref="WorkerPool.Processes"/> has reached that count; everything started is stopped if this throws.</summary>
    public static LoopbackCluster Start(int processesPerNode, DateTime deadline, Action<string> log)
    {
        var cluster = new LoopbackCluster(log);
        try
        {
            var clock = Stopwatch.StartNew();
            var port = FreeLoopbackPort().ToString();
            cluster._seed = MemberProcess.Start("seed", MemberDll("Pool.Seed"), MemberUpLine.Seed, "--host", "127.0.0.1", "--port", port,
                "--http-port", "0"); // no dashboard: the seed's usual port 4080 may be taken on this machine
            cluster.SeedAddress = cluster._seed.WaitUp(Remaining(deadline));
            log($"seed (pid {cluster._seed.Pid}) up at {cluster.SeedAddress} after {clock.Elapsed.TotalSeconds:0.0} s");
            cluster.AddNode(processesPerNode, deadline, waitForWorkers: false);
            cluster.Connect(deadline);
            cluster.WaitForWorkers(processesPerNode, deadline);
            log($"client connected, {cluster.Pool.Processes} workers, {clock.Elapsed.TotalSeconds:0.0} s after the seed started");
            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    /// <summary>Starts one more node and (unless told not to) waits until the client sees its workers.</summary>
    public void AddNode(int processes, DateTime deadline, bool waitForWorkers = true)
    {
        var clock = Stopwatch.StartNew();
        var name = $"node{_nodes.Count + 1}";
        var node = MemberProcess.Start(name, MemberDll("Pool.Node"), MemberUpLine.Node,
            "--seed", SeedAddress, "--host", "127.0.0.1", "--port", "0", "--processes", processes.ToString());
        _nodes.Add(node);
        var address = node.WaitUp(Remaining(deadline));
        _log($"{name} (pid {node.Pid}) up at {address} after {clock.Elapsed.TotalSeconds:0.0} s");
        if (waitForWorkers) WaitForWorkers(_nodes.Count * processes, deadline);
    }

    /// <summary>Waits until the client pool counts <paramref name="workers"/> worker processes.</summary>
    public void WaitForWorkers(int workers, DateTime deadline)
    {
        while (Pool.Processes < workers)
        {
            if (DateTime.UtcNow >= deadline)
                throw new TimeoutException($"the client saw {Pool.Processes} of {workers} workers by the deadline");
            Thread.Sleep(50);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        var clock = Stopwatch.StartNew();
        // Connect may still be running (it was abandoned on a deadline): dispose the pool whenever it arrives.
        if (_pool is null)
            _connecting?.ContinueWith(t => t.Result.Dispose(), TaskContinuationOptions.OnlyOnRanToCompletion);
        if (_pool is { } pool && !Task.Run(pool.Dispose).Wait(TimeSpan.FromSeconds(15)))
            _log("the client pool did not stop within 15 s");
        // Nodes first (they drain their children and leave), in parallel; then the seed.
        foreach (var outcome in _nodes.AsParallel().Select(n => n.Stop(TimeSpan.FromSeconds(10))).ToList()) _log(outcome);
        if (_seed is not null) _log(_seed.Stop(TimeSpan.FromSeconds(10)));
        foreach (var n in _nodes) n.Dispose();
        _seed?.Dispose();
        _log($"cluster stopped in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>The time left before <paramref name="deadline"/> (at least 1 ms, so a late wait fails at once).</summary>
    public static TimeSpan Remaining(DateTime deadline)
    {
        var left = deadline - DateTime.UtcNow;
        return left > TimeSpan.FromMilliseconds(1) ? left : TimeSpan.FromMilliseconds(1);
    }

    private void Connect(DateTime deadline)
    {
        var timeout = Remaining(deadline);
        _connecting = Task.Run(() => WorkerPool.Connect(SeedAddress, new PoolOptions
        {
            Hostname = "127.0.0.1",
            ConnectTimeout = timeout,
            // Problems only; the bench decides when the client stops (not Akka's process-exit hook).
            Config = ConfigurationFactory.ParseString("""
                akka.loglevel = WARNING
                akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
                """),
        }));
        if (!_connecting.Wait(timeout + TimeSpan.FromSeconds(2)))
            throw new TimeoutException($"WorkerPool.Connect({SeedAddress}) did not return within {timeout.TotalSeconds:0.#} s");
        _pool = _connecting.Result;
    }

    /// <summary>Pool.Seed.dll / Pool.Node.dll, built by the bench's ProjectReferences: the bench's own configuration
    /// first, then the other one.</summary>
    private static string MemberDll(string project)
    {
#if DEBUG
        string[] configurations = ["Debug", "Release"];
#else
        string[] configurations = ["Release", "Debug"];
#endif
        var root = RepoRoot();
        var candidates = configurations.Select(c => Path.Combine(root, "src", project, "bin", c, "net10.0", project + ".dll")).ToList();
        return candidates.FirstOrDefault(File.Exists)
               ?? throw new FileNotFoundException($"{project}.dll not found (looked for {string.Join(", ", candidates)}); build the bench or the solution");
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PoolCluster.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"PoolCluster.sln not found above {AppContext.BaseDirectory}");
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
