namespace PoolCluster.ChildProcess;

/// <summary>How a child process ended.</summary>
internal sealed record ChildExit(int? ExitCode, int? Signal, string Reason)
{
    /// <summary>"exit code 3", "killed by signal 9 (SIGKILL)", plus the reason.</summary>
    public string Describe()
    {
        var how = Signal is { } s ? $"killed by signal {s}{SignalName(s)}" : ExitCode is { } c ? $"exit code {c}" : "exit status unknown";
        return $"{how}; {Reason}";
    }

    public static ChildExit From(int? rawExitCode, string reason)
    {
        // .NET reports a child ended by a signal as 128 + signal number on Unix.
        if (!OperatingSystem.IsWindows() && rawExitCode is > 128 and < 128 + 65)
            return new ChildExit(rawExitCode, rawExitCode - 128, reason);
        return new ChildExit(rawExitCode, null, reason);
    }

    private static string SignalName(int s) => s switch
    {
        9 => " (SIGKILL)",
        15 => " (SIGTERM)",
        11 => " (SIGSEGV)",
        6 => " (SIGABRT)",
        _ => "",
    };
}
