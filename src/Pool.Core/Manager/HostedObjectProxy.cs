using System.Reflection;

namespace PoolCluster;

/// <summary>
/// The <see cref="DispatchProxy"/> returned by <see cref="PoolManager.Register{TInterface}"/>: every interface call
/// becomes one call on the object hosted in the manager. It travels into tasks as its <see cref="Handle"/> (the
/// runtime-generated proxy type is replaced by the handle on the wire and rebuilt on the other side).
/// </summary>
public class HostedObjectProxy : DispatchProxy
{
    /// <summary>The plain-data handle this proxy calls through.</summary>
    public HostedObjectHandle Handle { get; private set; } = null!;

    internal static TInterface Create<TInterface>(HostedObjectHandle handle) where TInterface : class
    {
        var proxy = DispatchProxy.Create<TInterface, HostedObjectProxy>();
        ((HostedObjectProxy)(object)proxy).Attach(handle);
        return proxy;
    }

    internal void Attach(HostedObjectHandle handle) => Handle = handle;

    /// <inheritdoc />
    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var result = Handle.Invoke(targetMethod, args ?? []);
        var returnType = targetMethod.ReturnType;
        if (returnType == typeof(void)) return null;
        // A value type method must not return null to the proxy (it would throw an opaque NullReferenceException).
        return result ?? (returnType.IsValueType ? Activator.CreateInstance(returnType) : null);
    }
}
