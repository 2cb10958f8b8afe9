namespace PoolCluster;

/// <summary>
/// What a call would send is larger than <c>poolcluster.pool.max-payload-size</c> (<see cref="PoolOptions.MaxPayloadSize"/>).
/// Raised at the call site: nothing was sent and the pool is unaffected.
/// </summary>
public sealed class PayloadTooLargeException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public PayloadTooLargeException(string message, long size, long limit) : base(message)
    {
        Size = size;
        Limit = limit;
    }

    /// <summary>The serialized size in bytes.</summary>
    public long Size { get; }

    /// <summary>The configured limit in bytes.</summary>
    public long Limit { get; }
}
