using System.Diagnostics;

namespace PoolCluster.Tests.Support;

/// <summary>Looks at OS processes the way a person would with ps/kill.</summary>
public static class ProcessProbe
{
    public static bool IsAlive(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    /// <summary>Polls until every pid is gone or the timeout passes; returns the ones still alive.</summary>
    public static IReadOnlyList<int> WaitUntilGone(IEnumerable<int> pids, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        List<int> alive;
        do
        {
            alive = pids.Where(IsAlive).ToList();
            if (alive.Count == 0) return alive;
            Thread.Sleep(50);
        } while (DateTime.UtcNow < deadline);
        return alive;
    }

    public static void KillHard(int pid)
    {
        using var kill = Process.Start("kill", ["-9", pid.ToString()]);
        kill.WaitForExit(5000);
    }

    /// <summary>Pids of the pool's child processes started by the given parent pid.</summary>
    public static IReadOnlyList<int> ChildrenOf(int parentPid)
    {
        var result = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                if (PoolCluster.Child.ParentWatch.ParentOf(pid.ToString()) != parentPid) continue;
                var cmd = File.ReadAllText(Path.Combine(dir, "cmdline"));
                if (cmd.Contains("--pool-child")) result.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return result;
    }
}
