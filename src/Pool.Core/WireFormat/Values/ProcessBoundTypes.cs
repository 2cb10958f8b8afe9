using PoolCluster.WireFormat.Functions;
using PoolCluster.WireFormat.Messages;

namespace PoolCluster.WireFormat.Values;

/// <summary>
/// Recognises values that only mean something inside the process that created them (handles, streams, threads,
/// tasks, sockets, actor systems...). Such a value would serialize into a useless or dangerous copy.
/// </summary>
internal static class ProcessBoundTypes
{
    // Matched by full name so that this file never loads the assemblies (Akka.dll in particular) it names.
    private static readonly string[] BoundTypeNames =
    [
        "System.Runtime.InteropServices.SafeHandle",
        "System.IO.Stream",
        "System.IO.TextReader",
        "System.IO.TextWriter",
        "System.Threading.Thread",
        "System.Threading.Tasks.Task",
        "System.Threading.Tasks.ValueTask",
        "System.Threading.Tasks.ValueTask`1",
        "System.Threading.CancellationTokenSource",
        "System.Threading.CancellationToken",
        "System.Threading.WaitHandle",
        "System.Threading.Timer",
        "System.Net.Sockets.Socket",
        "System.Net.Http.HttpMessageInvoker",
        "System.MarshalByRefObject",
        "System.Diagnostics.Process",
        "System.AppDomain",
        "System.IntPtr",
        "System.UIntPtr",
        "System.Runtime.Loader.AssemblyLoadContext",
    ];

    /// <summary>True when values of <paramref name="type"/> cannot meaningfully travel to another process.</summary>
    public static bool IsProcessBound(Type type) => Find(type) is not null;

    /// <summary>The offending type (the type itself, an element or a generic argument), or null.</summary>
    public static Type? Find(Type type, int depth = 0)
    {
        if (depth > 4)
            return null;
        if (type.IsPointer || type.IsFunctionPointer || type.IsByRef)
            return type;
        if (IsBoundItself(type))
            return type;
        if (type.HasElementType && Find(type.GetElementType()!, depth + 1) is { } element)
            return element;
        // A delegate's type arguments describe its signature, not what it holds: its target is validated on its own.
        if (type.IsGenericType && !type.IsGenericTypeDefinition && !typeof(Delegate).IsAssignableFrom(type))
        {
            foreach (var argument in type.GetGenericArguments())
            {
                if (Find(argument, depth + 1) is { } bound)
                    return bound;
            }
        }
        return null;
    }

    /// <summary>True when <paramref name="type"/> itself (or a base class or interface) is process-bound; its
    /// generic arguments and elements are not looked at.</summary>
    public static bool IsBoundItself(Type type)
    {
        for (var t = type; t is not null; t = t.BaseType)
        {
            // Anything from Akka (actor systems, refs, contexts) lives in the caller: the child never loads Akka.
            if (t.Namespace is { } ns && (ns == "Akka" || ns.StartsWith("Akka.", StringComparison.Ordinal)))
                return true;
            var name = t.IsGenericType ? t.GetGenericTypeDefinition().FullName : t.FullName;
            if (name is not null && Array.IndexOf(BoundTypeNames, name) >= 0)
                return true;
        }
        foreach (var i in type.GetInterfaces())
        {
            if (i.Namespace is { } ns && (ns == "Akka" || ns.StartsWith("Akka.", StringComparison.Ordinal)))
                return true;
        }
        return false;
    }
}
