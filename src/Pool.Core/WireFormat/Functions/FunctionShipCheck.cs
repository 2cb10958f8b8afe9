using System.Reflection;
using PoolCluster.Child.Tasks;
using PoolCluster.WireFormat.Values;

namespace PoolCluster.WireFormat.Functions;

/// <summary>
/// Serializes what a call ships to children and proves, in the caller, that it comes back. Every failure becomes a
/// <see cref="TaskSerializationException"/> at the call site that names, when it can, the captured member at fault.
/// </summary>
internal static class FunctionShipCheck
{
    /// <summary>
    /// Validates the delegates in <paramref name="body"/> (the body itself, or its delegate-valued fields), serializes
    /// it and deserializes it once. Returns the bytes to send.
    /// </summary>
    /// <exception cref="TaskSerializationException">The body cannot travel; nothing was sent.</exception>
    public static byte[] SerializeFunctionBody(object body)
    {
        var functions = FindFunctions(body);
        foreach (var function in functions)
            ClosureValidator.Validate(function);

        try
        {
            // Field-less functions take the short form a child reads without Hyperion; the round trip proves either.
            var bytes = FunctionBodyCodec.TrySerialize(body, out var shortForm) ? shortForm : PayloadSerializer.Instance.Serialize(body);
            Wire.FromBytes<object>(bytes);
            return bytes;
        }
        catch (TaskSerializationException e) when (e.MemberName is not null)
        {
            throw;
        }
        catch (Exception e)
        {
            // Also for a TaskSerializationException without a member (a captured multicast or dynamic delegate): find the member.
            throw Explain(functions, e);
        }
    }

    private static TaskSerializationException Explain(List<Delegate> functions, Exception failure)
    {
        // Try each captured value alone. Members come parents first, so after the first failure keep narrowing into
        // its own members: "this.connection" says more than "this".
        foreach (var function in functions)
        {
            (CapturedMembers.Member Member, Exception Error)? culprit = null;
            foreach (var member in CapturedMembers.Of(function))
            {
                if (culprit is { } found && !member.Path.StartsWith(found.Member.Path + ".", StringComparison.Ordinal))
                    break;
                if (member.Value is null)
                    continue;
                try
                {
                    PayloadSerializer.Instance.Deserialize(PayloadSerializer.Instance.Serialize(member.Value));
                }
                catch (Exception e)
                {
                    culprit = (member, e);
                }
            }

            if (culprit is { Member: var m, Error: var error })
            {
                return new TaskSerializationException(
                    $"The function captures '{m.Path}' ({m.Value!.GetType().FullName}) which cannot be serialized " +
                    $"to travel to a child process: {error.Message} Capture serializable data instead.",
                    m.Path, error);
            }
        }

        // Nothing captured is at fault: the function itself cannot travel (multicast, dynamic), or the body's other fields.
        if (failure is TaskSerializationException own)
            return own;

        var name = functions.Count > 0 ? $"{functions[0].Method.DeclaringType?.FullName}.{functions[0].Method.Name}" : "body";
        return new TaskSerializationException(
            $"The function {name} cannot be serialized to travel to a child process: {failure.Message}", inner: failure);
    }

    private static List<Delegate> FindFunctions(object body)
    {
        if (body is Delegate d)
            return [Unwrap(d)];
        var found = new List<Delegate>();
        foreach (var function in DelegateFields(body))
            found.Add(Unwrap(function));
        return found;
    }

    // An adapter (Adapters.Thunk, Star2...) is our own code around the user's delegate: checks and messages are about
    // what the user wrote, never "captures 'this' (Thunk...)".
    private static Delegate Unwrap(Delegate function) =>
        function.Target is { } target && target.GetType().DeclaringType == typeof(Adapters) && DelegateFields(target).FirstOrDefault() is { } user
            ? user
            : function;

    private static IEnumerable<Delegate> DelegateFields(object owner)
    {
        for (var t = owner.GetType(); t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (field.GetValue(owner) is Delegate function)
                    yield return function;
            }
        }
    }
}
