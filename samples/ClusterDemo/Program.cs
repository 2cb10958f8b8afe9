// One-command local cluster demo:  dotnet run --project samples/ClusterDemo
// Starts a Pool.Seed and two Pool.Node processes (2 child processes each) on loopback, connects a client pool with
// WorkerPool.Connect, maps 40 tasks of 100 ms over the cluster, prints which node ran what, then stops everything it
// started (SIGTERM, then kill) — also on Ctrl+C or an error.
//   dotnet run --project samples/ClusterDemo -- --connect akka.tcp://pool@127.0.0.1:4053
// runs the same job on a cluster that is already running (starts and stops nothing).
//   dotnet run --project samples/ClusterDemo -- --hold
// then keeps the cluster up running a long job (3000 tasks of 100 ms, a few of which fail on purpose, again and again)
// until Ctrl+C, so that the dashboard printed at the start can be watched.
using Akka.Configuration;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using PoolCluster;
using PoolCluster.Cluster;
using PoolCluster.ClusterDemo;

const int Tasks = 40;
const int ProcessesPerNode = 2;
const int Nodes = 2;
var startTimeout = TimeSpan.FromSeconds(60);
var jobTimeout = TimeSpan.FromMinutes(2);
var stopTimeout = TimeSpan.FromSeconds(30);

var hold = args.Contains("--hold");
var rest = args.Where(a => a != "--hold").ToArray();
if (rest is not [] and not ["--connect", _])
{
    Console.Error.WriteLine("usage: dotnet run --project samples/ClusterDemo [-- --connect akka.tcp://pool@HOST:4053] [--hold]");
    return 2;
}
var connectTo = rest is ["--connect", var address] ? address : null;

var dashboardLine = new Regex(@"^Pool\.Seed dashboard at (\S+)");

using var cancel = new CancellationTokenSource();
void OnSignal(PosixSignalContext context) { context.Cancel = true; cancel.Cancel(); }
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

var seed = (MemberProcess?)null;
var nodes = new List<MemberProcess>();
WorkerPool? pool = null;
try
{
    string seedAddress;
    var expectedProcesses = 1;
    if (connectTo is not null)
    {
        seedAddress = connectTo;
    }
    else
    {
        var seedPort = FreeLoopbackPort().ToString();
        // The seed's usual dashboard port when it is free, any free one otherwise.
        var httpPort = PortIsFree(4080) ? 4080 : FreeLoopbackPort();
        seed = MemberProcess.Start("seed", ProgramDll("PoolSeedDll"), MemberUpLine.Seed, echo: _ => true, "--host", "127.0.0.1", "--port", seedPort,
            "--http-port", httpPort.ToString());
        seedAddress = await seed.WaitUpAsync(startTimeout, cancel.Token);
        if (seed.FirstLine(dashboardLine) is { } dashboard)
            Console.WriteLine($"[demo] the dashboard: {dashboard} (members, children, jobs, throughput; /api/cluster, /api/jobs, /metrics)");

        // The seed prints membership changes; the nodes' copies of them are left out to keep the output readable.
        for (var i = 1; i <= Nodes; i++)
            nodes.Add(MemberProcess.Start($"node{i}", ProgramDll("PoolNodeDll"), MemberUpLine.Node, echo: line => !line.Contains(": member "),
                "--seed", seedAddress, "--host", "127.0.0.1", "--port", "0", "--processes", ProcessesPerNode.ToString()));
        await Task.WhenAll(nodes.Select(n => n.WaitUpAsync(startTimeout, cancel.Token)));
        expectedProcesses = Nodes * ProcessesPerNode;
    }

    Console.WriteLine($"[demo] connecting a client pool to {seedAddress}");
    var connecting = Task.Run(() => WorkerPool.Connect(seedAddress, new PoolOptions
    {
        Hostname = "127.0.0.1",
        ConnectTimeout = startTimeout,
        // The client's own Akka logs: problems only. Ctrl+C is this program's to handle (it stops the pool, then the
        // members, in order), so Akka's shutdown-on-signal hook is off for the client.
        Config = ConfigurationFactory.ParseString("""
            akka.loglevel = WARNING
            akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
            """),
    }));
    // Connect blocks until joined (bounded by ConnectTimeout); Ctrl+C should not have to wait for it.
    _ = connecting.ContinueWith(t => { if (cancel.IsCancellationRequested) t.Result.Dispose(); }, TaskContinuationOptions.OnlyOnRanToCompletion);
    pool = await connecting.WaitAsync(cancel.Token);
    // Workers attach node by node; wait for the expected count (or, with --connect, for a count that stays put for 2 s).
    var attached = Stopwatch.StartNew();
    var (lastCount, steadySince) = (-1, Stopwatch.StartNew());
    while (attached.Elapsed < startTimeout)
    {
        var count = pool.Processes;
        if (count != lastCount) (lastCount, steadySince) = (count, Stopwatch.StartNew());
        if (count >= expectedProcesses && (connectTo is null || steadySince.Elapsed > TimeSpan.FromSeconds(2))) break;
        await Task.Delay(200, cancel.Token);
    }
    Console.WriteLine($"[demo] the pool has {pool.Processes} worker processes");
    // A warm-up job: the first call ships this program's assemblies to the nodes and waits for children to start,
    // which is not what the timing below is about.
    await pool.MapAsync(DemoTasks.Work, Enumerable.Range(0, pool.Processes), chunkSize: 1).AsTask().WaitAsync(jobTimeout, cancel.Token);

    var processes = pool.Processes;
    var clock = Stopwatch.StartNew();
    var results = await pool.MapAsync(DemoTasks.Work, Enumerable.Range(0, Tasks), chunkSize: 1).AsTask().WaitAsync(jobTimeout, cancel.Token);
    clock.Stop();

    var inOrder = results.Select((r, i) => r.Item == i).All(x => x);
    Console.WriteLine();
    // Equal tasks over p processes: ⌈n/p⌉ rounds of 100 ms is the best any scheduler can do.
    var ideal = Math.Ceiling(Tasks / (double)Math.Max(1, processes)) * 0.1;
    Console.WriteLine($"{results.Count} tasks of 100 ms on {processes} processes in {clock.Elapsed.TotalSeconds:0.00} s " +
                      $"(ideal {ideal:0.0} s: {Tasks} / {processes} rounds of 100 ms; one process would take {Tasks * 0.1:0.0} s); " +
                      $"results in order: {(inOrder ? "yes" : "NO")}");
    foreach (var group in results.GroupBy(r => r.NodePid).OrderBy(g => g.Key))
    {
        var node = nodes.FirstOrDefault(n => n.Pid == group.Key);
        var who = node is not null ? $"{node.Name} (pid {node.Pid}, {node.Address})"
                : group.Key > 0 ? $"node pid {group.Key}" : "a node (no /proc here to tell which)";
        var children = string.Join(", ", group.GroupBy(r => r.ChildPid).Select(c => $"child {c.Key}: {c.Count()}"));
        Console.WriteLine($"  {who}: {group.Count()} tasks — {children}");
    }
    Console.WriteLine();
    if (hold) await HoldAsync(pool, cancel.Token);
    return inOrder && results.Count == Tasks ? 0 : 1;
}
catch (Exception) when (cancel.IsCancellationRequested)
{
    Console.WriteLine("[demo] interrupted");
    return 130;
}
catch (Exception e)
{
    Console.Error.WriteLine($"[demo] failed: {e.Message}");
    return 1;
}
finally
{
    Console.WriteLine("[demo] stopping everything it started");
    if (pool is not null)
    {
        var client = pool;
        if (!Task.Run(client.Dispose).Wait(stopTimeout)) Console.WriteLine("[demo] the client pool did not stop in time");
    }
    await Task.WhenAll(nodes.Select(n => n.StopAsync(stopTimeout)));
    if (seed is not null) await seed.StopAsync(stopTimeout);
    foreach (var n in nodes) n.Dispose();
    seed?.Dispose();
}

// Where the build put Pool.Seed.dll / Pool.Node.dll (written into this assembly by ClusterDemo.csproj).
static string ProgramDll(string key) =>
    Assembly.GetExecutingAssembly().GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value
    ?? throw new InvalidOperationException($"{key} is missing from ClusterDemo's assembly metadata; rebuild the demo");

// Keeps the cluster busy with a long job, again and again, until Ctrl+C.
static async Task HoldAsync(WorkerPool pool, CancellationToken cancel)
{
    Console.WriteLine("[demo] --hold: running a long job (3000 tasks of 100 ms, every 500th fails on purpose) until Ctrl+C");
    while (!cancel.IsCancellationRequested)
    {
        try { await pool.MapAsync(DemoTasks.WorkOrFail, Enumerable.Range(0, 3000), chunkSize: 1).AsTask().WaitAsync(cancel); }
        catch (Exception e) when (!cancel.IsCancellationRequested) { Console.WriteLine($"[demo] the long job ended: {e.GetType().Name}: {e.Message}"); }
    }
}

static bool PortIsFree(int port)
{
    try
    {
        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        return true;
    }
    catch (SocketException) { return false; }
}

static int FreeLoopbackPort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}
