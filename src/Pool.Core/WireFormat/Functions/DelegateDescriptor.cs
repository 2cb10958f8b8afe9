using System.Reflection;
using System.Reflection.Emit;
using PoolCluster.WireFormat.Values;

namespace PoolCluster.WireFormat.Functions;

/// <summary>
/// What travels instead of a delegate: where its method lives (assembly, module version id, metadata token and
/// generic arguments) and the object it is bound to (a closure instance, a lambda cache singleton, or null).
/// </summary>
/// <param name="DelegateType">The delegate's own type, e.g. <c>Func&lt;int,int&gt;</c>.</param>
/// <param name="AssemblyName">Full name of the assembly that declares the method.</param>
/// <param name="ModuleVersionId">MVID of the method's module; identifies the exact build.</param>
/// <param name="AssemblyLocation">Where the caller loaded the assembly from; a hint for the resolver, null when unknown.</param>
/// <param name="MetadataToken">The method's metadata token within its module.</param>
/// <param name="TypeArguments">Generic arguments of the method's declaring type (empty when not generic).</param>
/// <param name="MethodArguments">Generic arguments of the method itself (empty when not generic).</param>
/// <param name="Target">The delegate's target: closure, <c>&lt;&gt;c</c> singleton, bound first argument, or null.</param>
internal sealed record DelegateDescriptor(
    Type DelegateType,
    string AssemblyName,
    Guid ModuleVersionId,
    string? AssemblyLocation,
    int MetadataToken,
    Type[] TypeArguments,
    Type[] MethodArguments,
    object? Target)
{
    /// <summary>Describes a single-cast delegate whose method lives in a loadable, non-dynamic assembly.</summary>
    /// <exception cref="TaskSerializationException">The delegate is multicast, dynamic, or from a collectible/dynamic assembly.</exception>
    public static DelegateDescriptor Describe(Delegate d)
    {
        if (!d.HasSingleTarget)
            throw new TaskSerializationException(
                $"A multicast delegate ({d.GetInvocationList().Length} methods combined with +=) cannot travel to a child process; pass a single method or lambda.");

        var method = d.Method;
        // Compiled expression trees and emitted IL have no metadata token a child could resolve.
        if (method is DynamicMethod || method.DeclaringType is null)
            throw new TaskSerializationException(
                $"The function '{method.Name}' is a dynamic method (a compiled expression tree or emitted IL) and cannot travel to a child process; use a lambda or a method compiled into an assembly.");

        var assembly = method.Module.Assembly;
        if (assembly.IsDynamic || assembly.IsCollectible)
            throw new TaskSerializationException(
                $"The function {method.DeclaringType.FullName}.{method.Name} lives in a {(assembly.IsDynamic ? "dynamic" : "collectible")} assembly " +
                $"'{assembly.GetName().Name}' that a child process cannot load; define it in an assembly compiled to disk.");

        var declaring = method.DeclaringType;
        return new DelegateDescriptor(
            d.GetType(),
            assembly.FullName!,
            method.Module.ModuleVersionId,
            string.IsNullOrEmpty(assembly.Location) ? null : assembly.Location,
            method.MetadataToken,
            declaring.IsGenericType ? declaring.GetGenericArguments() : Type.EmptyTypes,
            method.IsGenericMethod ? method.GetGenericArguments() : Type.EmptyTypes,
            d.Target);
    }

    /// <summary>Finds the method in this process (checking the build) and rebuilds the delegate.</summary>
    /// <exception cref="FunctionResolutionException">The assembly is missing, is a different build, or the method does not bind.</exception>
    public Delegate Resolve() => Resolve(FunctionAssemblies.FindModule(AssemblyName, ModuleVersionId, AssemblyLocation));

    /// <summary>Rebuilds the delegate from a module already checked by <see cref="FunctionAssemblies.FindModule"/>.</summary>
    internal Delegate Resolve(Module module) => Bind(FindMethod(module));

    /// <summary>The method in a module already checked by <see cref="FunctionAssemblies.FindModule"/>.</summary>
    internal MethodInfo FindMethod(Module module)
    {
        try
        {
            return ResolveMethod(module);
        }
        catch (Exception e) when (e is not FunctionResolutionException)
        {
            throw new FunctionResolutionException(
                $"Cannot find the function (metadata token 0x{MetadataToken:X8}) in assembly '{AssemblyName}': {e.Message}", AssemblyName, e);
        }
    }

    /// <summary>The delegate of <paramref name="method"/> (found by <see cref="FindMethod"/>) bound to <see cref="Target"/>.</summary>
    internal Delegate Bind(MethodInfo method)
    {
        try
        {
            // Static method and no target: an open static delegate (method groups like Math.Abs).
            // Anything else binds the target: an instance method's receiver or a static method's closed first argument.
            return method.IsStatic && Target is null
                ? method.CreateDelegate(DelegateType)
                : Delegate.CreateDelegate(DelegateType, Target, method);
        }
        catch (Exception e)
        {
            throw new FunctionResolutionException(
                $"The function {method.DeclaringType?.FullName}.{method.Name} in '{AssemblyName}' cannot be bound as {DelegateType}: {e.Message}",
                AssemblyName, e);
        }
    }

    private MethodInfo ResolveMethod(Module module)
    {
        // A MethodDef token resolves to the definition; generic instantiations are re-applied by hand.
        var resolved = module.ResolveMethod(MetadataToken, TypeArguments, MethodArguments) as MethodInfo
            ?? throw new FunctionResolutionException(
                $"Metadata token 0x{MetadataToken:X8} in '{AssemblyName}' is not a method.", AssemblyName);

        if (TypeArguments.Length > 0 && resolved.DeclaringType is { IsGenericTypeDefinition: true } definition)
        {
            var closedType = definition.MakeGenericType(TypeArguments);
            resolved = (MethodInfo)MethodBase.GetMethodFromHandle(resolved.MethodHandle, closedType.TypeHandle)!;
        }

        if (MethodArguments.Length > 0 && resolved.IsGenericMethodDefinition)
            resolved = resolved.MakeGenericMethod(MethodArguments);

        return resolved;
    }
}
