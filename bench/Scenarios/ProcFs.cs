namespace PoolCluster.Bench.Scenarios;

/// <summary>What <c>/proc</c> says about a live process: memory in MiB, CPU time in ms. CPU time is the figure to compare
/// on a loaded machine, where wall-clock times swing several-fold.</summary>
public static class ProcFs
{
    /// <summary>VmRSS from <c>/proc/&lt;pid&gt;/status</c>, in MiB (the unit <c>ps</c> and Python's probe use).</summary>
    public static double ResidentMegabytes(int pid) => Kilobytes($"/proc/{pid}/status", "VmRSS:") / 1024.0;

    /// <summary>Pss from <c>/proc/&lt;pid&gt;/smaps_rollup</c>, in MiB: shared pages count divided by their sharers,
    /// so a runtime mapped by several children is not counted once per child.</summary>
    public static double ProportionalMegabytes(int pid) => Kilobytes($"/proc/{pid}/smaps_rollup", "Pss:") / 1024.0;

    /// <summary>User + system CPU time so far, in ms (fields 14 and 15 of <c>/proc/&lt;pid&gt;/stat</c>, in clock ticks).</summary>
    public static double CpuMilliseconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After "pid (comm) ": [0] is field 3 (state), so utime (14) is [11] and stime (15) is [12].
        var ticks = long.Parse(fields[11]) + long.Parse(fields[12]);
        return ticks * 1000.0 / ClockTicksPerSecond;
    }

    /// <summary>USER_HZ: 100 on every Linux the bench targets (sysconf(_SC_CLK_TCK)).</summary>
    private const double ClockTicksPerSecond = 100;

    private static long Kilobytes(string file, string key)
    {
        var line = File.ReadLines(file).First(l => l.StartsWith(key, StringComparison.Ordinal));
        return long.Parse(line[key.Length..].Trim().Split(' ')[0]);
    }
}
