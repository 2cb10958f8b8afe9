using System.Reflection;
using Hyperion;

namespace PoolCluster.Manager;

/// <summary>
/// How a registered object's interface proxy travels: its runtime-generated type exists only in the process that made
/// it, so Hyperion writes the plain <see cref="HostedObjectHandle"/> instead and the reader builds a new proxy over it.
/// </summary>
internal sealed class HostedProxySurrogate(HostedObjectHandle handle)
{
    public HostedObjectHandle Handle { get; } = handle;

    /// <summary>The surrogates PoolCluster's payload serializer registers.</summary>
    public static IEnumerable<Surrogate> All { get; } =
    [
        Surrogate.Create<HostedObjectProxy, HostedProxySurrogate>(p => new HostedProxySurrogate(p.Handle), s => s.Rebuild()),
    ];

    private HostedObjectProxy Rebuild()
    {
        var contract = Type.GetType(Handle.ContractName, throwOnError: true)!;
        var proxy = (HostedObjectProxy)DispatchProxy.Create(contract, typeof(HostedObjectProxy));
        proxy.Attach(Handle);
        return proxy;
    }
}
