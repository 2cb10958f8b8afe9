using System.Diagnostics;

namespace PoolCluster.Bench.Scenarios;

/// <summary>
/// The floor of a child's start, measured in the same run: <c>dotnet HelloWorld.dll</c> (bench/HelloWorld) from spawn
/// to its "ready" line, and its memory while it idles. A pool child is the same runtime plus our loop, so the ratio
/// of the two says what our own start costs, whatever the machine's load.
/// </summary>
public sealed class HelloWorld : IDisposable
{
    private readonly Process _process;

    private HelloWorld(Process process, double seconds, double cpuMs)
    {
        _process = process;
        Seconds = seconds;
        CpuMilliseconds = cpuMs;
    }

    /// <summary>Spawn → "ready" line, wall clock.</summary>
    public double Seconds { get; }

    /// <summary>User + system CPU time of the process when it said ready.</summary>
    public double CpuMilliseconds { get; }

    /// <summary>The idle process.</summary>
    public int Pid => _process.Id;

    /// <summary>Starts one and waits for its "ready" line; dispose it to end it.</summary>
    public static HelloWorld Start(TimeSpan timeout)
    {
        var info = new ProcessStartInfo(DotnetHost(), [Dll()])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var start = Stopwatch.GetTimestamp();
        var process = Process.Start(info)!;
        var line = process.StandardOutput.ReadLineAsync();
        if (!line.Wait(timeout) || line.Result != "ready")
        {
            process.Kill();
            process.Dispose();
            throw new TimeoutException($"dotnet HelloWorld.dll did not say ready within {timeout.TotalSeconds:0} s");
        }
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return new HelloWorld(process, seconds, ProcFs.CpuMilliseconds(process.Id));
    }

    /// <summary>Median spawn → ready of <paramref name="reps"/> starts, one after the other.</summary>
    public static (double Seconds, double CpuMs) Median(int reps, TimeSpan timeout)
    {
        var runs = Enumerable.Range(0, reps).Select(_ =>
        {
            using var hello = Start(timeout);
            return (hello.Seconds, hello.CpuMilliseconds);
        }).ToList();
        return (Stats.Median(runs.Select(r => r.Seconds)), Stats.Median(runs.Select(r => r.CpuMilliseconds)));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(TimeSpan.FromSeconds(10))) _process.Kill();
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }

    /// <summary>The dotnet muxer running this bench.</summary>
    private static string DotnetHost() =>
        Environment.ProcessPath is { } self && Path.GetFileName(self) == "dotnet" ? self : "dotnet";

    /// <summary>HelloWorld.dll, built by the bench's ProjectReference: the bench's own configuration first.</summary>
    private static string Dll()
    {
#if DEBUG
        string[] configurations = ["Debug", "Release"];
#else
        string[] configurations = ["Release", "Debug"];
#endif
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "PoolCluster.sln"))) root = root.Parent;
        if (root is null) throw new DirectoryNotFoundException($"PoolCluster.sln not found above {AppContext.BaseDirectory}");
        var candidates = configurations.Select(c => Path.Combine(root.FullName, "bench", "HelloWorld", "bin", c, "net10.0", "HelloWorld.dll")).ToList();
        return candidates.FirstOrDefault(File.Exists)
               ?? throw new FileNotFoundException($"HelloWorld.dll not found (looked for {string.Join(", ", candidates)}); build the bench");
    }
}
