using System.Reflection;

namespace PoolCluster.Manager.State;

/// <summary>
/// A user object registered with <c>PoolManager.Register</c>: created by the user's factory in the manager's process,
/// called through an interface. A method is identified by its name and parameter types; exceptions thrown by the
/// object travel back with their type.
/// </summary>
internal sealed class HostedObjectState(object instance, Type contract) : SharedState
{
    private readonly Dictionary<string, MethodInfo> _methods = new(StringComparer.Ordinal);

    public override string Kind => ObjectKinds.Hosted;

    /// <summary>Runs the factory (user code) and checks the result implements the contract.</summary>
    public static HostedObjectState Create(Delegate factory, string contractName)
    {
        var contract = Type.GetType(contractName, throwOnError: false)
            ?? throw new TypeLoadException($"The manager's process cannot load the interface {contractName}: its assembly must be available where the manager runs.");
        object? instance;
        try { instance = factory.DynamicInvoke(); }
        catch (TargetInvocationException e) when (e.InnerException is not null) { throw e.InnerException; }
        if (instance is null || !contract.IsInstanceOfType(instance))
            throw new InvalidOperationException($"The factory returned {instance?.GetType().FullName ?? "null"}, which does not implement {contract.FullName}.");
        return new HostedObjectState(instance, contract);
    }

    public override void Execute(ManagerOp op)
    {
        if (op.Operation != SharedOp.Invoke) { op.Fail(Unknown(op)); return; }
        var name = op.Arg<string>(0);
        var parameters = op.Arg<string[]>(1);
        var args = op.Raw(2) as object?[] ?? [];
        var method = Find(name, parameters);
        object? result;
        try { result = method.Invoke(instance, args); }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            op.Fail(e.InnerException);
            return;
        }
        op.Reply(result);
    }

    private MethodInfo Find(string name, string[] parameters)
    {
        var key = name + "(" + string.Join(",", parameters) + ")";
        if (_methods.TryGetValue(key, out var method)) return method;
        var types = parameters.Select(p => Type.GetType(p, throwOnError: false)
            ?? throw new TypeLoadException($"The manager's process cannot load the parameter type {p} of {name}")).ToArray();
        method = AllInterfaces(contract).Select(i => i.GetMethod(name, types)).FirstOrDefault(m => m is not null)
            ?? throw new MissingMethodException(contract.FullName, name);
        return _methods[key] = method;
    }

    private static IEnumerable<Type> AllInterfaces(Type contract) => [contract, .. contract.GetInterfaces()];
}
