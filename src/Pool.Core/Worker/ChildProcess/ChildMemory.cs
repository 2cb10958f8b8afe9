using System.Diagnostics;

namespace PoolCluster.Worker.ChildProcess;

/// <summary>Resident memory of a child process.</summary>
internal static class ChildMemory
{
    /// <summary>Resident set size in bytes (from /proc on Linux, the working set elsewhere); 0 when unknown.</summary>
    public static long ResidentBytes(int pid)
    {
        try
        {
            if (OperatingSystem.IsLinux())
            {
                // statm: size resident shared ... (in pages)
                var fields = File.ReadAllText($"/proc/{pid}/statm").Split(' ');
                return long.Parse(fields[1]) * Environment.SystemPageSize;
            }
            using var p = Process.GetProcessById(pid);
            return p.WorkingSet64;
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException or FormatException)
        {
            return 0;
        }
    }
}
