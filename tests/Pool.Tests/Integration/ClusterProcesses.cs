using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using PoolCluster.Tests.Support;

namespace PoolCluster.Tests.Integration;

/// <summary>
/// Real Pool.Seed and Pool.Node processes on loopback, started from their own build output (their own runtime config
/// and dependencies: a node has none of this test assembly, so tasks' code is shipped). Every process started is
/// killed on dispose; every wait is bounded.
/// </summary>
public sealed partial class ClusterProcesses : IDisposable
{
    private readonly List<Process> _processes = [];
    private readonly string _root = FindRepositoryRoot();

    /// <param name="startSeed">False: start nothing yet (<see cref="SeedAddress"/> then names a free port nobody listens on).</param>
    /// <param name="seedArgs">More arguments for the seed (such as <c>--config</c>).</param>
    public ClusterProcesses(bool startSeed = true, params string[] seedArgs)
    {
        var port = FreePort();
        SeedAddress = $"akka.tcp://pool@127.0.0.1:{port}";
        if (!startSeed) return;
        Seed = Start("Pool.Seed", ["--host", "127.0.0.1", "--port", port.ToString(), .. seedArgs]);
        WaitForLine(Seed, l => l.Contains("up at", StringComparison.Ordinal) || l.Contains(" Up", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
    }

    public string SeedAddress { get; }

    public StartedProcess Seed { get; } = null!;

    /// <summary>Starts Pool.Seed or Pool.Node with these arguments and waits for nothing; killed on dispose.</summary>
    public StartedProcess StartProgram(string project, params string[] args) => Start(project, args);

    /// <summary>Starts a worker node and waits for its up-line.</summary>
    public StartedProcess StartNode(int processes)
    {
        var node = Start("Pool.Node", "--seed", SeedAddress, "--host", "127.0.0.1", "--port", "0", "--processes", processes.ToString());
        WaitForLine(node, l => NodeUp().IsMatch(l), TimeSpan.FromSeconds(60));
        return node;
    }

    public WorkerPool Connect(PoolOptions? options = null)
    {
        options ??= new PoolOptions();
        options.Config ??= Cluster.InProcessCluster.FastConfig;
        return WorkerPool.Connect(SeedAddress, options);
    }

    private StartedProcess Start(string project, params string[] args)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var dll = Path.Combine(_root, "src", project, "bin", configuration, "net10.0", project + ".dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"{project} is not built ({dll}); build the solution first", dll);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
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

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PoolCluster.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("PoolCluster.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^Pool\.Node up at (akka(?:\.ssl)?\.tcp://pool@\S+:\d+) offering (\d+) processes$")]
    private static partial Regex NodeUp();
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

    public IReadOnlyList<string> Lines { get { lock (_lines) return [.. _lines]; } }

    public string Output => string.Join("\n", Lines.TakeLast(60));

    public void KillHard() => ProcessProbe.KillHard(Process.Id);

    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", Process.Id.ToString()]);
        kill.WaitForExit(5000);
    }
}
