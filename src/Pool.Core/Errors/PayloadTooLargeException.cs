namespace PoolCluster;

/// <summary>
/// What a call would send, or the results a child would send back, is larger than <c>poolcluster.pool.max-payload-size</c>
/// (<see cref="PoolOptions.MaxPayloadSize"/>). For a call it is raised at the call site: nothing was sent. For results
/// it fails that chunk's items; the child keeps working. The pool is unaffected either way.
/// </summary>
public sealed class PayloadTooLargeException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public PayloadTooLargeException(string message, long size, long limit) : base(message)
    {
        Size = size;
        Limit = limit;
    }

    /// <summary>Rebuilds the exception from a child's report; the message names size and limit.</summary>
    public PayloadTooLargeException(string message, Exception? inner) : base(message, inner) { }

    /// <summary>The serialized size in bytes.</summary>
    public long Size { get; }

    /// <summary>The configured limit in bytes.</summary>
    public long Limit { get; }
}
