namespace PoolCluster;

/// <summary>
/// User code in a child process threw an exception whose type cannot be rebuilt in the caller's process.
/// Carries the remote type name, message and stack trace.
/// </summary>
public sealed class RemoteTaskException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RemoteTaskException(string remoteTypeName, string message, string? remoteStackTrace, Exception? inner = null)
        : base($"{remoteTypeName}: {message}", inner)
    {
        RemoteTypeName = remoteTypeName;
        RemoteMessage = message;
        RemoteStackTrace = remoteStackTrace;
    }

    /// <summary>Full name of the exception type thrown in the child.</summary>
    public string RemoteTypeName { get; }

    /// <summary>The message of the exception thrown in the child.</summary>
    public string RemoteMessage { get; }

    /// <summary>The stack trace captured in the child.</summary>
    public string? RemoteStackTrace { get; }

    /// <inheritdoc />
    public override string? StackTrace =>
        RemoteStackTrace is null ? base.StackTrace : RemoteStackTrace + Environment.NewLine + "--- End of remote stack trace ---" + Environment.NewLine + base.StackTrace;
}
