namespace PoolCluster;

/// <summary>
/// The pool's <see cref="PoolOptions.Initializer"/> threw in a child process. Unlike Python's endless respawn loop,
/// the pool fails every pending and later call with this exception; the initializer's own exception is the inner one.
/// </summary>
public sealed class PoolInitializerException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PoolInitializerException(string message, Exception? inner) : base(message, inner) { }
}
