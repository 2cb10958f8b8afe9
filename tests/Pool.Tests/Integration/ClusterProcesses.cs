using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using PoolCluster.Cluster;
using PoolCluster.Tests.Support;

namespace PoolCluster.Tests.Integration;

/// <summary>
/// Real Pool.Seed and Pool.Node processes on loopback, started from their own build output (their own runtime config
/// and dependencies: a node has none of this test assembly, so tasks' code is shipped). Every process started is
/// killed on dispose; every wait is bounded.
/// </summary>
public sealed class ClusterProcesses : IDisposable
{
    private readonly List<Process> _processes = [];
    private readonly string _root = FindRepositoryRoot();

    /// <param name="startSeed">False: start nothing yet (<see cref="SeedAddress"/> then names a free port nobody listens on).</param>
    /// <param name="seedArgs">More arguments for the seed (such as --config, --http-host, --http-token).</param>
    public ClusterProcesses(bool startSeed = true, params string[] seedArgs)
    {
        var port = FreePort();
        SeedAddress = $"akka.tcp://pool@127.0.0.1:{port}";
        // Its own HTTP port: the default 4080 would collide between tests running side by side.
        var httpPort = FreePort();
        SeedHttp = $"http://127.0.0.1:{httpPort}/";
        if (!startSeed) return;
        Seed = Start("Pool.Seed", null, ["--host", "127.0.0.1", "--port", port.ToString(), "--http-port", httpPort.ToString(), .. seedArgs]);
        WaitForLine(Seed, l => MemberUpLine.TryParse(l, out var up) && up.Program == MemberUpLine.Seed, TimeSpan.FromSeconds(60));
    }

    public string SeedAddress { get; }

    /// <summary>The seed's HTTP endpoints (dashboard, metrics, health), ending with '/'.</summary>
    public string SeedHttp { get; }

    public StartedProcess Seed { get; } = null!;

    /// <summary>Starts Pool.Seed or Pool.Node with these arguments and waits for nothing; killed on dispose.</summary>
    public StartedProcess StartProgram(string project, params string[] args) => Start(project, args);

    /// <summary>Starts a worker node and waits for its up-line.</summary>
    public StartedProcess StartNode(int processes) => StartNode(processes, []);

    /// <summary>Starts a worker node with extra arguments and environment variables and waits for its up-line.</summary>
    public StartedProcess StartNode(int processes, string[] extraArgs, IReadOnlyDictionary<string, string>? environment = null)
    {
        var node = Start("Pool.Node", environment, ["--seed", SeedAddress, "--host", "127.0.0.1", "--port", "0", "--processes", processes.ToString(), .. extraArgs]);
        WaitForLine(node, l => MemberUpLine.TryParse(l, out var up) && up.Program == MemberUpLine.Node, TimeSpan.FromSeconds(60));
        return node;
    }

    /// <summary>Starts a worker node that is expected to refuse its input; returns it once it exited (bounded).</summary>
    public StartedProcess StartNodeExpectingExit(params string[] args)
    {
        var node = Start("Pool.Node", null, ["--seed", SeedAddress, .. args]);
        if (!node.Process.WaitForExit(60_000)) throw new TimeoutException($"Pool.Node did not exit within 60 s:\n{node.Output}");
        node.Process.WaitForExit(); // flushes the redirected output
        return node;
    }

    /// <summary>Starts a worker node serving HTTP on a free port (<see cref="StartedProcess.Http"/>) and waits for its up-line.</summary>
    public StartedProcess StartNodeWithHttp(int processes)
    {
        var node = StartNodeWithHttpNoWait(processes, SeedAddress);
        WaitForLine(node, l => MemberUpLine.TryParse(l, out var up) && up.Program == MemberUpLine.Node, TimeSpan.FromSeconds(60));
        return node;
    }

    /// <summary>Starts a worker node serving HTTP that joins <paramref name="seed"/> and does not wait for it to be up.</summary>
    public StartedProcess StartNodeWithHttpNoWait(int processes, string seed)
    {
        var httpPort = FreePort();
        var node = Start("Pool.Node", "--seed", seed, "--host", "127.0.0.1", "--port", "0", "--processes", processes.ToString(), "--http-port", httpPort.ToString());
        node.Http = $"http://127.0.0.1:{httpPort}/";
        WaitForLine(node, l => l.StartsWith("Pool.Node http at", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        return node;
    }

    /// <summary>The seed's actor-system address with a port nothing listens on: a node given it never joins.</summary>
    public static string UnreachableSeed() => $"akka.tcp://pool@127.0.0.1:{FreePort()}";

    public WorkerPool Connect(PoolOptions? options = null)
    {
        options ??= new PoolOptions();
        options.Config ??= Cluster.InProcessCluster.FastConfig;
        return WorkerPool.Connect(SeedAddress, options);
    }

    private StartedProcess Start(string project, params string[] args) => Start(project, null, args);

    private StartedProcess Start(string project, IReadOnlyDictionary<string, string>? environment, IEnumerable<string> args)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var dll = Path.Combine(_root, "src", project, "bin", configuration, "net10.0", project + ".dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"{project} is not built ({dll}); build the solution first", dll);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) psi.Environment[name] = value;
        var process = Process.Start(psi)!;
        lock (_processes) _processes.Add(process);
        return new StartedProcess(project, process);
    }

    public static string WaitForLine(StartedProcess p, Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (p.Lines.FirstOrDefault(match) is { } line) return line;
            if (p.Process.HasExited) throw new InvalidOperationException($"{p.Name} exited ({p.Process.ExitCode}) before printing the expected line:\n{p.Output}");
            Thread.Sleep(50);
        }
        throw new TimeoutException($"{p.Name} did not print the expected line within {timeout.TotalSeconds} s:\n{p.Output}");
    }

    public void Dispose()
    {
        List<Process> all;
        lock (_processes) all = [.. _processes];
        foreach (var p in all)
        {
            try { if (!p.HasExited) p.Kill(entireProcessTree: true); p.WaitForExit(10_000); }
            catch (InvalidOperationException) { }
            p.Dispose();
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The repository's root (where PoolCluster.sln is), found above the test's build output.</summary>
    internal static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PoolCluster.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("PoolCluster.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A started member process and everything it printed so far.</summary>
public sealed class StartedProcess
{
    private readonly List<string> _lines = [];

    public StartedProcess(string name, Process process)
    {
        Name = name;
        Process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_lines) _lines.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_lines) _lines.Add("stderr: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Name { get; }

    public Process Process { get; }

    public int Pid => Process.Id;

    /// <summary>Its HTTP endpoints when started with an HTTP port, ending with '/'.</summary>
    public string? Http { get; set; }

    public IReadOnlyList<string> Lines { get { lock (_lines) return [.. _lines]; } }

    /// <summary>The address this member printed in its up line (empty before it printed one).</summary>
    public string UpAddress => Lines.Select(l => MemberUpLine.TryParse(l, out var up) ? up.Address : null).FirstOrDefault(a => a is not null) ?? "";

    public string Output => string.Join("\n", Lines.TakeLast(60));

    public void KillHard() => ProcessProbe.KillHard(Process.Id);

    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", Process.Id.ToString()]);
        kill.WaitForExit(5000);
    }
}
