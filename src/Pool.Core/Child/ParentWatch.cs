using System.Diagnostics;
using PoolCluster.Worker.ChildProcess;

namespace PoolCluster.Child;

/// <summary>Whether the process that started this child still runs (used while the pipe is not connected yet).</summary>
internal static class ParentWatch
{
    public static bool IsAlive(int parentPid)
    {
        if (parentPid <= 0) return true;
        if (OperatingSystem.IsLinux())
        {
            // Reparenting (to init or a subreaper) is the surest sign the parent died, even if its pid was reused.
            if (ParentOf("self") is { } ppid && ppid != parentPid) return false;
        }
        try
        {
            using var parent = Process.GetProcessById(parentPid);
            return !parent.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    /// <summary>The parent pid of a process from <c>/proc/&lt;pid&gt;/stat</c> (Linux; "self" for this one), or null.</summary>
    public static int? ParentOf(string pid) =>
        ProcStat.Fields(pid) is { Length: > 1 } fields && int.TryParse(fields[1], out var parent) ? parent : null;
}
