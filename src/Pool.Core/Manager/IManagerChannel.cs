namespace PoolCluster.Manager;

/// <summary>
/// How a proxy reaches its manager from the process it is in: through the actor system of the PoolManager that made
/// it in a pool's own process, or over the child's pipe to its worker actor inside a child process (children run no
/// actor system).
/// </summary>
internal interface IManagerChannel
{
    /// <summary>This process's identity as a lock holder (stable for the process's life).</summary>
    string Holder { get; }

    /// <summary>Sends one serialized <see cref="ManagerCall"/> and waits for the serialized <see cref="ManagerReply"/>.</summary>
    /// <exception cref="ManagerUnavailableException">The manager did not answer within <paramref name="timeout"/>.</exception>
    byte[] Call(ManagerAddress manager, byte[] call, TimeSpan timeout);
}

/// <summary>
/// The channel of a proxy that was not made by a PoolManager of this process (it arrived in a task's closure or a
/// value): in a child, the child's one pipe; elsewhere, an open PoolManager's actor system that can reach its manager.
/// </summary>
internal static class ManagerChannel
{
    private static IManagerChannel? _child;

    /// <summary>Set once by the child host: every proxy in this child talks over its pipe (a child belongs to one pool).</summary>
    public static void UseChildPipe(Func<byte[], TimeSpan, byte[]?> call) => Volatile.Write(ref _child, new ChildManagerChannel(call));

    public static IManagerChannel For(ManagerAddress manager) => Volatile.Read(ref _child)
        ?? ActorSystemManagerChannel.OpenFor(manager)
        ?? throw new ManagerUnavailableException(
            $"This process has no connection to the pool manager ({manager}): create a PoolManager (or connect to one) before using shared objects here.");
}
