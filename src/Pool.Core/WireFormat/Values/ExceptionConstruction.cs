using System.Reflection;
using System.Runtime.CompilerServices;
using PoolCluster.WireFormat.Messages;

namespace PoolCluster.WireFormat.Values;

/// <summary>
/// Creates an exception of a given type holding a given message, without letting a constructor build a message out
/// of it: <c>new NotFound(key)</c> that says "Key '{key}' was not found" must not turn the travelled message into
/// "Key 'Key 'user42' was not found' was not found". A (string, Exception) or (string) constructor is used only when it
/// stores its argument as the message unchanged (a plain message constructor, as Exception's own); otherwise a
/// parameterless constructor, otherwise an uninitialized instance (no constructor at all). Either way the message
/// field is then set to the travelled one; the caller restores the other properties.
/// </summary>
internal static class ExceptionConstruction
{
    private const BindingFlags InstanceFields = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
    private static readonly FieldInfo? MessageField = typeof(Exception).GetField("_message", InstanceFields);
    private static readonly FieldInfo? InnerField = typeof(Exception).GetField("_innerException", InstanceFields);
    private static readonly FieldInfo[] BaseFields = typeof(Exception).GetFields(InstanceFields);
    private static readonly Exception Template = new();

    /// <summary>What <paramref name="e"/> stored as its message, before any <c>Message</c> override decorates it
    /// (ArgumentException appends the parameter name, for instance).</summary>
    public static string? StoredMessage(Exception e) => MessageField is null ? e.Message : (string?)MessageField.GetValue(e);

    /// <summary>An instance of <paramref name="type"/> with the given stored message and inner exception; null when the
    /// runtime does not let us build one.</summary>
    public static Exception? Create(Type type, string? message, Exception? inner)
    {
        if (TryPlainConstructor(type, [typeof(string), typeof(Exception)], [message, inner], message) is { } withInner)
            return withInner;
        if (MessageField is null || InnerField is null) return null;
        var exception = TryPlainConstructor(type, [typeof(string)], [message], message)
            ?? TryParameterless(type)
            ?? Uninitialized(type);
        MessageField.SetValue(exception, message);
        InnerField.SetValue(exception, inner);
        return exception;
    }

    private static Exception? TryPlainConstructor(Type type, Type[] signature, object?[] arguments, string? message)
    {
        if (type.GetConstructor(signature) is not { } constructor) return null;
        try
        {
            var exception = (Exception)constructor.Invoke(arguments);
            // A constructor that builds its message from the argument (or takes a name, as ArgumentNullException(string)
            // does) stores something else: not a message constructor, whatever its signature says.
            return StoredMessage(exception) == message ? exception : null;
        }
        catch (Exception) { return null; }
    }

    private static Exception? TryParameterless(Type type)
    {
        if (type.GetConstructor(Type.EmptyTypes) is not { } constructor) return null;
        try { return (Exception)constructor.Invoke(null); }
        catch (Exception) { return null; }
    }

    private static Exception Uninitialized(Type type)
    {
        var exception = (Exception)RuntimeHelpers.GetUninitializedObject(type);
        // Exception's own state as its constructor leaves it (HResult, runtime bookkeeping): no constructor of the
        // type ran, but the base must look like one that did.
        foreach (var field in BaseFields) field.SetValue(exception, field.GetValue(Template));
        return exception;
    }
}
