namespace PoolCluster;

/// <summary>
/// A function, a captured value, an argument or a result could not be serialized to travel between processes.
/// When thrown at the call site nothing was sent and the pool is unaffected.
/// </summary>
public sealed class TaskSerializationException : ArgumentException
{
    /// <summary>Creates the exception (also the shape used to rebuild it from a child's error).</summary>
    public TaskSerializationException(string message, Exception? inner) : this(message, null, inner) { }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What could not travel and why.</param>
    /// <param name="memberName">The captured member (closure field) that could not be serialized, when known.</param>
    /// <param name="inner">The serializer's own error.</param>
    public TaskSerializationException(string message, string? memberName = null, Exception? inner = null)
        : base(message, inner)
    {
        MemberName = memberName;
    }

    /// <summary>The captured member that could not be serialized, when the failure is in a closure.</summary>
    public string? MemberName { get; }
}
