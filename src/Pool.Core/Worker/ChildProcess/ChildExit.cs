using PoolCluster.WireFormat.Frames;

namespace PoolCluster.Worker.ChildProcess;

/// <summary>How a child process ended.</summary>
internal sealed record ChildExit(int? ExitCode, int? Signal, string Reason)
{
    // The child host's own exit codes, named once for the child (ChildHost) and for the parent's description of an exit.
    /// <summary>The pool's initializer threw (the parent hears why in an InitializerFailed frame first).</summary>
    public const int InitializerFailedCode = 3;

    /// <summary>A frame from the parent was malformed: the pipe cannot be trusted any more.</summary>
    public const int MalformedFrameCode = 4;

    /// <summary>The parent was gone before the child could connect to its pipe.</summary>
    public const int NoParentCode = 5;

    /// <summary>"exit code 3 (...)", "killed by signal 9 (SIGKILL)", plus the reason.</summary>
    public string Describe()
    {
        var how = Signal is { } s ? $"killed by signal {s}{SignalName(s)}" : ExitCode is { } c ? $"exit code {c}{CodeMeaning(c)}" : "exit status unknown";
        return $"{how}; {Reason}";
    }

    public static ChildExit From(int? rawExitCode, string reason)
    {
        // .NET reports a child ended by a signal as 128 + signal number on Unix.
        if (!OperatingSystem.IsWindows() && rawExitCode is > 128 and < 128 + 65)
            return new ChildExit(rawExitCode, rawExitCode - 128, reason);
        return new ChildExit(rawExitCode, null, reason);
    }

    // User code may exit with the same numbers (Environment.Exit(3)), so this says what the code means to the child
    // host, not that it is what happened.
    private static string CodeMeaning(int code) => code switch
    {
        InitializerFailedCode => " (the child host exits with 3 when the pool's initializer fails)",
        MalformedFrameCode => " (the child host exits with 4 on a malformed frame from its parent)",
        NoParentCode => " (the child host exits with 5 when its parent is gone before it connected)",
        _ => "",
    };

    private static string SignalName(int s) => s switch
    {
        9 => " (SIGKILL)",
        15 => " (SIGTERM)",
        11 => " (SIGSEGV)",
        6 => " (SIGABRT)",
        _ => "",
    };
}
