using PoolCluster.WireFormat.Frames;

namespace PoolCluster.Worker.ChildProcess;

/// <summary>Reads <c>/proc/&lt;pid&gt;/stat</c> (Linux).</summary>
internal static class ProcStat
{
    /// <summary>
    /// The fields after the command name, so index 0 is the state (stat's field 3), 1 the parent pid, 11 and 12 user and
    /// system CPU ticks; null when the process is gone or the file cannot be read. The command name (field 2) may hold
    /// spaces and parentheses, hence the split after the last ')'.
    /// </summary>
    public static string[]? Fields(string pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }
}
