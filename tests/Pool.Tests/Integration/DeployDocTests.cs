using System.Diagnostics;
using System.Text.RegularExpressions;
using PoolCluster.Cluster;

namespace PoolCluster.Tests.Integration;

/// <summary>
/// docs/deploy.md's systemd units work as written: their <c>ExecStart</c> lines run with their <c>Environment=</c>
/// values (the published paths pointed at the build output, addresses at loopback and free ports, since systemd does
/// not run here), the members come up, and SIGTERM (<c>KillSignal</c>) stops them with exit code 0 within
/// <c>TimeoutStopSec</c>.
/// </summary>
public sealed partial class DeployDocTests : IDisposable
{
    private readonly List<Process> _started = [];
    private readonly string _root = ClusterProcesses.FindRepositoryRoot();

    public void Dispose()
    {
        foreach (var p in _started)
        {
            try { if (!p.HasExited) p.Kill(entireProcessTree: true); p.WaitForExit(10_000); }
            catch (InvalidOperationException) { }
            p.Dispose();
        }
    }

    [Fact]
    public void The_seed_and_node_units_start_the_members_and_SIGTERM_stops_them_cleanly()
    {
        var units = Units(File.ReadAllText(Path.Combine(_root, "docs", "deploy.md")));
        var seedUnit = Assert.Single(units, u => u.ExecStart.Contains("Pool.Seed.dll", StringComparison.Ordinal));
        var nodeUnit = Assert.Single(units, u => u.ExecStart.Contains("Pool.Node.dll", StringComparison.Ordinal));
        var seedPort = ClusterProcesses.FreePort();
        var seedAddress = $"akka.tcp://pool@127.0.0.1:{seedPort}";

        var seed = Run(seedUnit, new() { ["POOL_HOST"] = "127.0.0.1", ["POOL_PORT"] = seedPort.ToString(), ["POOL_HTTP_PORT"] = ClusterProcesses.FreePort().ToString() });
        ClusterProcesses.WaitForLine(seed, l => l == MemberUpLine.Format(MemberUpLine.Seed, seedAddress), TimeSpan.FromSeconds(60));
        var node = Run(nodeUnit, new() { ["POOL_HOST"] = "127.0.0.1", ["POOL_PORT"] = "0", ["POOL_SEEDS"] = seedAddress, ["POOL_PROCESSES"] = "1" });
        ClusterProcesses.WaitForLine(node, l => MemberUpLine.TryParse(l, out var up) && up.Program == MemberUpLine.Node
            && up.Address.StartsWith("akka.tcp://pool@127.0.0.1:", StringComparison.Ordinal) && up.Processes == 1, TimeSpan.FromSeconds(60));

        foreach (var (member, unit) in new[] { (node, nodeUnit), (seed, seedUnit) })
        {
            Assert.Equal("SIGTERM", unit.Settings["KillSignal"]);
            member.Terminate();
            var stop = TimeSpan.FromSeconds(int.Parse(unit.Settings["TimeoutStopSec"]));
            Assert.True(member.Process.WaitForExit(stop), $"{member.Name} did not stop within TimeoutStopSec:\n{member.Output}");
            member.Process.WaitForExit();
            Assert.True(member.Process.ExitCode == 0, $"{member.Name} exited with {member.Process.ExitCode}:\n{member.Output}");
        }
    }

    private StartedProcess Run(Unit unit, Dictionary<string, string> overrides)
    {
        var words = unit.ExecStart.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        // /opt/poolcluster/seed/Pool.Seed.dll -> the build output of src/Pool.Seed; /usr/bin/dotnet -> the dotnet on PATH.
        var args = words.Skip(1).Select(w => PublishedPath().Replace(w, m =>
            Path.Combine(_root, "src", m.Groups["project"].Value, "bin", configuration, "net10.0", m.Groups["project"].Value + ".dll"))).ToList();
        Assert.EndsWith("/dotnet", words[0]);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (key, value) in unit.Environment) psi.Environment[key] = value;
        foreach (var (key, value) in overrides)
        {
            Assert.True(unit.Environment.ContainsKey(key) || key == "POOL_PROCESSES", $"the unit sets no {key}");
            psi.Environment[key] = value;
        }
        var process = Process.Start(psi)!;
        _started.Add(process);
        return new StartedProcess(Path.GetFileNameWithoutExtension(args[0]), process);
    }

    private sealed record Unit(string ExecStart, Dictionary<string, string> Environment, Dictionary<string, string> Settings);

    private static List<Unit> Units(string markdown) =>
        IniBlock().Matches(markdown).Select(m =>
        {
            var lines = m.Groups["body"].Value.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#') && l.Contains('=')).ToList();
            var environment = lines.Where(l => l.StartsWith("Environment=", StringComparison.Ordinal))
                .Select(l => l["Environment=".Length..].Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
            var settings = lines.Where(l => !l.StartsWith("Environment=", StringComparison.Ordinal))
                .Select(l => l.Split('=', 2)).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Last()[1]);
            return new Unit(settings["ExecStart"], environment, settings);
        }).ToList();

    [GeneratedRegex(@"```ini\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex IniBlock();

    [GeneratedRegex(@"^/opt/poolcluster/(?:seed|node)/(?<project>Pool\.(?:Seed|Node))\.dll$")]
    private static partial Regex PublishedPath();
}
