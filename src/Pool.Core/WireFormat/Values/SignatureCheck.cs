using System.Runtime.CompilerServices;
using PoolCluster.WireFormat.Functions;

namespace PoolCluster.WireFormat.Values;

/// <summary>
/// Refuses at the call site, before anything is serialized, a function whose declared argument or result type cannot
/// travel between processes, and a Task (or stream) returned through a synchronous signature, which would come back
/// unfinished; async functions go through the async overloads, whose results the child awaits.
/// Values of other declared types (object, interfaces) are checked as they are written (<see cref="ProcessBoundValues"/>).
/// </summary>
internal static class SignatureCheck
{
    private static readonly string[] AsyncTypeNames =
    [
        "System.Threading.Tasks.Task", "System.Threading.Tasks.Task`1", "System.Threading.Tasks.ValueTask",
        "System.Threading.Tasks.ValueTask`1", "System.Collections.Generic.IAsyncEnumerable`1",
    ];

    /// <param name="user">The user's delegate, for its name and its async-ness.</param>
    /// <typeparam name="T">The item type as it travels (a tuple for several arguments).</typeparam>
    /// <typeparam name="R">The result type as it travels back.</typeparam>
    /// <exception cref="TaskSerializationException">The function cannot run in a child process as declared.</exception>
    public static void Check<T, R>(Delegate user)
    {
        var method = user.Method;
        var name = DisplayName(user);
        if (method.ReturnType == typeof(void) && method.IsDefined(typeof(AsyncStateMachineAttribute), inherit: false))
            throw new TaskSerializationException(
                $"The function {name} is async void: nothing can await it, so the child would report it done before it " +
                "ran. Make it return Task (Func<T, Task>) and the pool awaits it in the child.");
        if (method.IsDefined(typeof(AsyncStateMachineAttribute), inherit: false) || IsAsyncType(typeof(R)))
        {
            throw new TaskSerializationException(
                $"The function {name} returns {Describe(typeof(R))} through a synchronous signature; that Task (or stream) " +
                "would complete in the child process, never in yours. Declare it as async so the child awaits it: " +
                "Func<T, Task<R>>, Func<T, CancellationToken, Task<R>>, Func<Task<R>> or Func<T, Task> (C# picks these " +
                "overloads for async lambdas and methods returning Task<R>); for a stream of results use ImapAsync.");
        }
        CheckTypes<T, R>(name);
    }

    /// <summary>An async function (the pool awaits it in the child): <typeparamref name="R"/> is what its Task yields,
    /// which must itself travel back.</summary>
    /// <exception cref="TaskSerializationException">The awaited result or the argument cannot travel.</exception>
    public static void CheckAsync<T, R>(Delegate user)
    {
        var name = DisplayName(user);
        if (IsAsyncType(typeof(R)))
            throw new TaskSerializationException(
                $"The async function {name} yields {Describe(typeof(R))}, a Task of a Task (or stream), which cannot travel " +
                "back from a child process: await the inner task inside the function and return its result.");
        CheckTypes<T, R>(name);
    }

    private static void CheckTypes<T, R>(string name)
    {
        if (ProcessBoundTypes.Find(typeof(R)) is { } result)
        {
            throw new TaskSerializationException(
                $"The function {name} returns {Describe(typeof(R))}{Holding(typeof(R), result)}, which cannot travel back " +
                "from a child process: streams, handles, threads, tasks, cancellation sources, sockets, processes and " +
                "other process-bound objects only mean something in the process that made them. Return the data instead " +
                "(a path, the bytes, a result).");
        }
        if (ProcessBoundTypes.Find(typeof(T)) is { } argument)
        {
            throw new TaskSerializationException(
                $"The function {name} takes {Describe(typeof(T))}{Holding(typeof(T), argument)}, which cannot travel to a " +
                "child process: streams, handles, threads, tasks, cancellation sources, sockets, processes and other " +
                "process-bound objects only mean something in the process that made them. Pass the data instead " +
                "(a path, the bytes, a value).");
        }
    }

    private static bool IsAsyncType(Type type)
    {
        var definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        return Array.IndexOf(AsyncTypeNames, definition.FullName) >= 0;
    }

    private static string Holding(Type declared, Type bound) => declared == bound ? "" : $" (which holds {Describe(bound)})";

    // "System.Threading.Tasks.Task<System.Int32>" rather than the assembly-qualified generic name.
    private static string Describe(Type type) =>
        type.IsGenericType
            ? $"{type.GetGenericTypeDefinition().FullName![..type.GetGenericTypeDefinition().FullName!.IndexOf('`')]}<{string.Join(", ", type.GetGenericArguments().Select(Describe))}>"
            : type.FullName ?? type.Name;

    private static string DisplayName(Delegate user)
    {
        var method = user.Method;
        var owner = method.DeclaringType;
        // Lambdas compile to "<Outer>b__0_0" on a closure class: name the method the user wrote them in.
        if (method.Name.StartsWith('<'))
        {
            var end = method.Name.IndexOf('>');
            var outer = end > 1 ? method.Name[1..end] : "a method";
            while (owner is not null && CapturedMembers.IsCompilerGenerated(owner)) owner = owner.DeclaringType;
            return $"(a lambda in {owner?.Name}.{outer})";
        }
        return $"{owner?.Name}.{method.Name}";
    }
}
