using PoolCluster.Manager;

namespace PoolCluster;

/// <summary>
/// The plain-data handle behind a registered object's interface proxy: calls a method of the hosted object by name and
/// parameter types. Travels to child processes and other nodes like any other shared-object proxy.
/// </summary>
public sealed class HostedObjectHandle : SharedObject
{
    private HostedObjectHandle() { } // made by PoolManager through SharedObject.Restore

    /// <summary>The interface the object is used through (assembly-qualified).</summary>
    public string ContractName => (string)State.CreateArgs[1]!;

    /// <summary>
    /// An interface proxy over this handle, made in the current process: how a task uses a registered object, e.g.
    /// <c>var h = HostedObjectHandle.Of(counter); pool.Apply(() => h.As&lt;ICounter&gt;().Increment())</c>.
    /// </summary>
    public TInterface As<TInterface>() where TInterface : class
    {
        var contract = Type.GetType(ContractName, throwOnError: false);
        if (contract is null || !typeof(TInterface).IsAssignableFrom(contract))
            throw new InvalidCastException($"The shared object '{Name}' is used through {ContractName}, not {typeof(TInterface).FullName}");
        return HostedObjectProxy.Create<TInterface>(this);
    }

    /// <summary>The handle behind an interface proxy returned by <see cref="PoolManager.Register{TInterface}"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="proxy"/> is not such a proxy.</exception>
    public static HostedObjectHandle Of(object proxy) => proxy is HostedObjectProxy p
        ? p.Handle
        : throw new ArgumentException("Not a proxy returned by PoolManager.Register", nameof(proxy));

    /// <summary>Invokes <paramref name="method"/> on the hosted object; exceptions it throws come back with their type.</summary>
    internal object? Invoke(System.Reflection.MethodInfo method, object?[] args)
    {
        if (method.IsGenericMethod)
            throw new NotSupportedException($"Generic method {method.Name} cannot be called on a shared object.");
        var parameters = method.GetParameters();
        if (parameters.Any(p => p.ParameterType.IsByRef))
            throw new NotSupportedException($"Method {method.Name} has ref/out parameters, which a shared object cannot support.");
        return Call(SharedOp.Invoke, method.Name, parameters.Select(p => p.ParameterType.AssemblyQualifiedName!).ToArray(), args);
    }
}
