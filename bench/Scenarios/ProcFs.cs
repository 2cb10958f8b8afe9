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

    /// <summary>CPU time its live threads have had so far, in ms: the first field of each
    /// <c>/proc/&lt;pid&gt;/task/&lt;tid&gt;/schedstat</c>, in ns (<c>/proc/&lt;pid&gt;/stat</c> counts 10 ms ticks, too coarse
    /// for a 20-50 ms start).</summary>
    public static double CpuMilliseconds(int pid)
    {
        long nanoseconds = 0;
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try { nanoseconds += long.Parse(File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ')[0]); }
            catch (IOException) { } // a thread that ended meanwhile
        }
        return nanoseconds / 1e6;
    }

    private static long Kilobytes(string file, string key)
    {
        var line = File.ReadLines(file).First(l => l.StartsWith(key, StringComparison.Ordinal));
        return long.Parse(line[key.Length..].Trim().Split(' ')[0]);
    }
}
