namespace PoolCluster;

/// <summary>
/// A shared-object proxy could not reach its manager: the process or node hosting it is gone, or it did not answer
/// in time. The proxy works again once the manager is back (state held by a lost manager is lost with it).
/// </summary>
public sealed class ManagerUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ManagerUnavailableException(string message) : base(message) { }

    /// <summary>Creates the exception with its cause.</summary>
    public ManagerUnavailableException(string message, Exception? inner) : base(message, inner) { }
}
