namespace PoolCluster.Manager;

/// <summary>
/// How a shared-object proxy travels (to a child, to another node): its type and its plain data. Without it Hyperion
/// would treat <see cref="SharedDict{TKey,TValue}"/> and <see cref="SharedList{T}"/> as collections and enumerate them,
/// calling the manager while serializing.
/// </summary>
internal sealed class SharedObjectSurrogate
{
    public Type ProxyType { get; set; } = null!;
    public ProxyState State { get; set; } = null!;

    public static SharedObjectSurrogate From(SharedObject proxy) => new() { ProxyType = proxy.GetType(), State = proxy.State };

    public SharedObject Restore() => SharedObject.Restore(ProxyType, State);
}
