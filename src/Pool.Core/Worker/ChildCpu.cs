namespace PoolCluster.Worker;

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
                // Fields after the command name (which may hold spaces, hence the last ')'): state is field 3, utime 14, stime 15.
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return (long.Parse(fields[11]) + long.Parse(fields[12])) / TicksPerSecond;
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
