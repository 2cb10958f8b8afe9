using System.Diagnostics;
using PoolCluster.Tests.Support;

namespace PoolCluster.Tests.Pool;

public sealed class OrphanTests
{
    [Fact]
    public void Children_exit_within_seconds_after_their_parent_is_killed_9()
    {
        // Start a separate parent process (Pool.OrphanProbe) on this test assembly's runtime config and dependencies.
        var dir = AppContext.BaseDirectory;
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "exec", "--runtimeconfig", Path.Combine(dir, "Pool.Tests.runtimeconfig.json"),
                     "--depsfile", Path.Combine(dir, "Pool.Tests.deps.json"), Path.Combine(dir, "Pool.OrphanProbe.dll"), "2" })
            psi.ArgumentList.Add(a);
        using var parent = Process.Start(psi)!;
        try
        {
            var line = ReadLineWithin(parent, TimeSpan.FromSeconds(60));
            Assert.StartsWith("PIDS ", line);
            var pids = line![5..].Split(',').Select(int.Parse).ToList();
            Assert.Equal(2, pids.Count);
            Assert.All(pids, pid => Assert.True(ProcessProbe.IsAlive(pid)));

            ProcessProbe.KillHard(parent.Id);

            Assert.Empty(ProcessProbe.WaitUntilGone(pids, TimeSpan.FromSeconds(5)));
        }
        finally
        {
            if (!parent.HasExited) parent.Kill(entireProcessTree: true);
        }
    }

    private static string? ReadLineWithin(Process p, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var read = p.StandardOutput.ReadLineAsync();
            if (!read.Wait(deadline - DateTime.UtcNow)) break;
            if (read.Result is null || read.Result.StartsWith("PIDS ")) return read.Result;
        }
        throw new TimeoutException("the probe parent did not print its children's pids in time");
    }
}
