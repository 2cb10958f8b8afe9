namespace PoolCluster.Worker.ChildProcess;

/// <summary>CPU time a child process has used.</summary>
internal static class ChildCpu
{
    private static readonly double TicksPerSecond = 100; // USER_HZ: 100 on every Linux the runtime supports

    /// <summary>User plus system CPU seconds (from /proc/PID/stat on Linux, the process object elsewhere); 0 when unknown.</summary>
    public static double Seconds(int pid)
    {
        try
        {
            if (OperatingSystem.IsLinux())
            {
                // utime and stime (stat's fields 14 and 15).
                var fields = ProcStat.Fields(pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
                return fields is { Length: > 12 } ? (long.Parse(fields[11]) + long.Parse(fields[12])) / TicksPerSecond : 0;
            }
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return p.TotalProcessorTime.TotalSeconds;
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException or FormatException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
