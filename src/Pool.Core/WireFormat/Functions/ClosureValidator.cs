using PoolCluster.WireFormat.Values;

namespace PoolCluster.WireFormat.Functions;

/// <summary>
/// Checks, before anything is sent, that a function does not capture process-bound objects. Hyperion would
/// happily copy the fields of a FileStream or a Thread; the copy would be meaningless in the child, so we refuse
/// at the call site and name the captured member.
/// </summary>
internal static class ClosureValidator
{
    /// <summary>Throws when <paramref name="function"/> captures a value that cannot travel to a child process.</summary>
    /// <exception cref="TaskSerializationException">Names the captured member (<see cref="TaskSerializationException.MemberName"/>).</exception>
    public static void Validate(Delegate function)
    {
        foreach (var member in CapturedMembers.Of(function))
        {
            // The runtime type says most (a Stream field holding a FileStream); the declared type catches nulls and IntPtr.
            var bound = (member.Value is null ? null : ProcessBoundTypes.Find(member.Value.GetType()))
                        ?? ProcessBoundTypes.Find(member.DeclaredType);
            if (bound is null)
                continue;

            var shown = member.Value?.GetType() ?? member.DeclaredType;
            var detail = bound == shown ? "" : $", which holds {bound.FullName}";
            if (NeighboursVariable(function, member.Path) is { } root)
            {
                throw new TaskSerializationException(
                    $"The function captures '{member.Path}' ({shown.FullName}{detail}) which cannot travel to a child process, " +
                    $"yet it does not use '{root}' itself: C# compiles every variable that the lambdas of one scope capture into " +
                    "one compiler-generated closure class shared by all of them, so this lambda carries what a neighbouring " +
                    $"lambda captured. Make the task a static local function or a separate method, or copy the values it needs " +
                    $"into locals declared in a narrower scope (a block or a method around the call), away from '{root}'.",
                    member.Path);
            }
            throw new TaskSerializationException(
                $"The function captures '{member.Path}' ({shown.FullName}{detail}) which cannot travel to a child process: " +
                "streams, handles, threads, tasks, sockets, actor systems and other process-bound objects cannot be serialized. " +
                "Capture the data instead.",
                member.Path);
        }
    }

    /// <summary>The captured variable at the root of <paramref name="path"/> when the function is a lambda whose own code
    /// never touches it (it shares a closure class with a lambda that does); otherwise null.</summary>
    private static string? NeighboursVariable(Delegate function, string path)
    {
        if (function.Target is not { } target || !CapturedMembers.IsCompilerGenerated(target.GetType()))
            return null;
        var root = path.Split('.')[0];
        return ClosureFieldUse.NamesUsedBy(function.Method) is { } used && !used.Contains(root) ? root : null;
    }
}
