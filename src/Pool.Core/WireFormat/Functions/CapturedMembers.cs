using System.Reflection;
using System.Runtime.CompilerServices;
using PoolCluster.WireFormat.Values;

namespace PoolCluster.WireFormat.Functions;

/// <summary>
/// Enumerates what a delegate captured, with the names a user wrote: locals of (nested) closure classes,
/// fields of a captured <c>this</c>, and recursively the captures of delegates found along the way.
/// </summary>
internal static class CapturedMembers
{
    private const int MaxDepth = 8;

    /// <summary>One captured value: its display path ("connection", "this.stream"), declared type and value.</summary>
    public readonly record struct Member(string Path, Type DeclaredType, object? Value);

    /// <summary>Every captured member reachable from <paramref name="function"/>'s target(s), parents before children.</summary>
    public static IEnumerable<Member> Of(Delegate function)
    {
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        return OfDelegate(function, prefix: null, visited, depth: 0);
    }

    private static IEnumerable<Member> OfDelegate(Delegate function, string? prefix, HashSet<object> visited, int depth)
    {
        foreach (var single in function.GetInvocationList())
        {
            var target = single.Target;
            if (target is null)
                continue;
            // A method group on an object (stream.ReadByte) captures that object itself.
            if (!IsCompilerGenerated(target.GetType()))
                yield return new Member(prefix ?? "this", target.GetType(), target);
            foreach (var member in OfObject(target, prefix, visited, depth))
                yield return member;
        }
    }

    private static IEnumerable<Member> OfObject(object target, string? prefix, HashSet<object> visited, int depth)
    {
        if (depth >= MaxDepth || !visited.Add(target))
            yield break;

        var type = target.GetType();
        var closure = IsCompilerGenerated(type);
        if (!closure && prefix is null)
            prefix = "this";

        foreach (var field in InstanceFields(type))
        {
            var value = field.GetValue(target);
            var name = DisplayName(field.Name);
            // Nested closure scopes (CS$<>8__locals1) are invisible to the user: their fields read as plain locals.
            var transparent = name is null;
            var path = transparent ? prefix : prefix is null ? name : prefix + "." + name;

            if (!transparent)
                yield return new Member(path!, field.FieldType, value);

            if (value is Delegate nested)
            {
                foreach (var member in OfDelegate(nested, path, visited, depth + 1))
                    yield return member;
            }
            else if (value is not null && ShouldDescend(value.GetType()))
            {
                foreach (var member in OfObject(value, path, visited, depth + 1))
                    yield return member;
            }
        }
    }

    /// <summary>Walks compiler-generated closures and user types; framework types and collections are treated as data.</summary>
    private static bool ShouldDescend(Type type)
    {
        if (type.IsPrimitive || type.IsEnum || type.IsArray || type == typeof(string) || type.IsPointer)
            return false;
        if (IsCompilerGenerated(type))
            return true;
        // Shared-object proxies travel as their plain data (a surrogate), never as their fields.
        if (typeof(SharedObject).IsAssignableFrom(type) || typeof(HostedObjectProxy).IsAssignableFrom(type))
            return false;
        var ns = type.Namespace ?? "";
        return !(ns == "System" || ns.StartsWith("System.", StringComparison.Ordinal)
                 || ns.StartsWith("Microsoft.", StringComparison.Ordinal) || ns.StartsWith("Akka", StringComparison.Ordinal));
    }

    private static IEnumerable<FieldInfo> InstanceFields(Type type)
    {
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                yield return field;
        }
    }

    internal static bool IsCompilerGenerated(Type type) => type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false);

    /// <summary>The name a user wrote for a compiler-generated field, or null for a nested closure scope.</summary>
    internal static string? DisplayName(string fieldName)
    {
        if (fieldName.StartsWith("CS$<>", StringComparison.Ordinal) || fieldName.StartsWith("<>8__", StringComparison.Ordinal))
            return null;
        if (fieldName.EndsWith("__this", StringComparison.Ordinal) && fieldName.StartsWith("<>", StringComparison.Ordinal))
            return "this";
        // <name>k__BackingField, <name>5__2, <name>P (primary constructor parameters)
        if (fieldName.StartsWith('<'))
        {
            var end = fieldName.IndexOf('>');
            if (end > 1)
                return fieldName[1..end];
        }
        return fieldName;
    }
}
