namespace PoolCluster.Manager;

/// <summary>
/// How a proxy reaches its manager from the process it is in: through the actor system in a pool's own process, or
/// over the child's pipe to its worker actor inside a child process (children run no actor system).
/// </summary>
internal interface IManagerChannel
{
    /// <summary>This process's identity as a lock holder (stable for the process's life).</summary>
    string Holder { get; }

    /// <summary>Sends one serialized <see cref="ManagerCall"/> and waits for the serialized <see cref="ManagerReply"/>.</summary>
    /// <exception cref="ManagerUnavailableException">The manager did not answer within <paramref name="timeout"/>.</exception>
    byte[] Call(ManagerAddress manager, byte[] call, TimeSpan timeout);
}

/// <summary>The channel of the current process: set by the child host in children, by PoolManager in pool processes.</summary>
internal static class ManagerChannel
{
    private static IManagerChannel? _current;

    public static IManagerChannel Current => Volatile.Read(ref _current)
        ?? throw new ManagerUnavailableException("This process has no connection to a pool manager: create a PoolManager (or connect to one) before using shared objects here.");

    public static void Install(IManagerChannel channel) => Volatile.Write(ref _current, channel);

    /// <summary>Installs <paramref name="channel"/> unless a channel is already present (the first PoolManager wins).</summary>
    public static void InstallIfAbsent(IManagerChannel channel) => Interlocked.CompareExchange(ref _current, channel, null);
}
