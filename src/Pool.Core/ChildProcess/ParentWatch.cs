using System.Diagnostics;

namespace PoolCluster.ChildProcess;

/// <summary>Whether the process that started this child still runs (used while the pipe is not connected yet).</summary>
internal static class ParentWatch
{
    public static bool IsAlive(int parentPid)
    {
        if (parentPid <= 0) return true;
        if (OperatingSystem.IsLinux())
        {
            // Reparenting (to init or a subreaper) is the surest sign the parent died, even if its pid was reused.
            try
            {
                var stat = File.ReadAllText("/proc/self/stat");
                var ppid = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
                if (ppid != parentPid) return false;
            }
            catch (Exception e) when (e is IOException or FormatException) { }
        }
        try
        {
            using var parent = Process.GetProcessById(parentPid);
            return !parent.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}
