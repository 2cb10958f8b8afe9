using System.Reflection;
using Hyperion;

namespace PoolCluster.Manager;

/// <summary>
/// How a registered object's interface proxy travels: its runtime-generated type exists only in the process that made
/// it, so Hyperion writes the plain <see cref="HostedObjectHandle"/> instead and the reader builds a new proxy over it.
/// </summary>
internal sealed class HostedProxySurrogate
{
    public HostedObjectHandle Handle { get; set; } = null!;

    /// <summary>The surrogates PoolCluster's payload serializer registers for shared-object proxies.</summary>
    public static IEnumerable<Surrogate> All { get; } =
    [
        Surrogate.Create<HostedObjectProxy, HostedProxySurrogate>(From, s => s.Rebuild()),
        Surrogate.Create<SharedObject, SharedObjectSurrogate>(SharedObjectSurrogate.From, s => s.Restore()),
    ];

    public static HostedProxySurrogate From(HostedObjectProxy proxy) => new() { Handle = proxy.Handle };

    public HostedObjectProxy Rebuild()
    {
        var contract = Type.GetType(Handle.ContractName, throwOnError: true)!;
        var proxy = (HostedObjectProxy)DispatchProxy.Create(contract, typeof(HostedObjectProxy));
        proxy.Attach(Handle);
        return proxy;
    }
}
