using System.Reflection;
using System.Reflection.Emit;
using PoolCluster.WireFormat.Values;

namespace PoolCluster.WireFormat.Functions;

/// <summary>
/// Which captured variables a lambda's own code reads or writes. C# gives all lambdas of one scope one shared closure
/// class, so a lambda can carry a variable only its neighbour uses; telling the two apart lets the error say so.
/// </summary>
internal static class ClosureFieldUse
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>The display names (as <see cref="CapturedMembers.DisplayName"/> gives them) of the fields the method's
    /// IL touches, or null when that cannot be known (no readable body, or it calls other compiler-generated code).</summary>
    public static HashSet<string>? NamesUsedBy(MethodInfo method)
    {
        byte[]? il;
        try { il = method.GetMethodBody()?.GetILAsByteArray(); }
        catch (Exception) { return null; }
        if (il is null) return null;

        var names = new HashSet<string>(StringComparer.Ordinal);
        var genericType = method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null;
        var genericMethod = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var i = 0; i < il.Length;)
        {
            short value = il[i++];
            if (value == 0xFE && i < il.Length) value = (short)(0xFE00 | il[i++]);
            if (!OpCodesByValue.TryGetValue(value, out var op)) return null;
            if (op.OperandType == OperandType.InlineField && i + 4 <= il.Length)
            {
                try
                {
                    var field = method.Module.ResolveField(BitConverter.ToInt32(il, i), genericType, genericMethod);
                    if (field is not null && CapturedMembers.DisplayName(field.Name) is { } name) names.Add(name);
                }
                catch (ArgumentException) { /* a token this module cannot resolve: not a closure field */ }
            }
            // A call into other compiler-generated code (a local function, a nested lambda) may use the variable
            // there: then this method alone cannot tell, and the caller gets no verdict.
            if (op.OperandType == OperandType.InlineMethod && i + 4 <= il.Length && CallsGeneratedCode(method, BitConverter.ToInt32(il, i), genericType, genericMethod))
                return null;
            i += OperandSize(op, il, i);
        }
        return names;
    }

    private static bool CallsGeneratedCode(MethodInfo caller, int token, Type[]? genericType, Type[]? genericMethod)
    {
        try
        {
            var callee = caller.Module.ResolveMethod(token, genericType, genericMethod);
            return callee is not null && (callee.Name.StartsWith('<') || (callee.DeclaringType is { } t && CapturedMembers.IsCompilerGenerated(t)));
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static int OperandSize(OpCode op, byte[] il, int at) => op.OperandType switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, at),
        _ => 4,
    };
}
