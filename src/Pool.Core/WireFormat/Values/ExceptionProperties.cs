using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using PoolCluster.WireFormat.Messages;

namespace PoolCluster.WireFormat.Values;

/// <summary>
/// An exception's own data as plain values that may travel in <see cref="ErrorInfo"/>: its public readable properties
/// that can be set again (a setter of any visibility, <c>init</c>, or a backing field), and the entries of
/// <see cref="Exception.Data"/>. Only simple values travel (strings, primitives, decimal, Guid, TimeSpan, DateTime,
/// DateTimeOffset, enums, one-dimensional arrays of those): the protocol serializer on a worker node deserializes no
/// other type, and a caller must not fail on a value it cannot rebuild. Whatever cannot travel or be set is skipped,
/// one property at a time; capturing and restoring never throw.
/// </summary>
internal static class ExceptionProperties
{
    private sealed record Member(PropertyInfo Property, Action<object, object?> Set);

    private static readonly ConcurrentDictionary<Type, Member[]> Plans = new();

    private static readonly HashSet<Type> SimpleTypes =
    [
        typeof(string), typeof(bool), typeof(char), typeof(byte), typeof(short), typeof(ushort), typeof(int),
        typeof(uint), typeof(long), typeof(ulong), typeof(float), typeof(double), typeof(decimal), typeof(Guid),
        typeof(TimeSpan), typeof(DateTime), typeof(DateTimeOffset),
    ];

    /// <summary>The properties of <paramref name="e"/> that can travel and be set again, by name.</summary>
    public static ErrorInfo.Entry[]? Capture(Exception e)
    {
        List<ErrorInfo.Entry>? captured = null;
        foreach (var member in SafePlanFor(e.GetType()))
        {
            try
            {
                if (ToWire(member.Property.GetValue(e), out var wire)) (captured ??= []).Add(new(member.Property.Name, wire));
            }
            catch (Exception) { /* a getter that throws: this property does not travel */ }
        }
        return captured?.ToArray();
    }

    /// <summary>The entries of <see cref="Exception.Data"/> whose key and value can travel.</summary>
    public static ErrorInfo.Entry[]? CaptureData(Exception e)
    {
        List<ErrorInfo.Entry>? captured = null;
        try
        {
            foreach (DictionaryEntry entry in e.Data)
            {
                if (ToWire(entry.Key, out var key) && key is not null && ToWire(entry.Value, out var value))
                    (captured ??= []).Add(new(key, value));
            }
        }
        catch (Exception) { /* an exotic Data dictionary: what was read so far travels */ }
        return captured?.ToArray();
    }

    /// <summary>Sets the captured properties on a rebuilt exception of the same type.</summary>
    public static void Restore(Exception e, ErrorInfo.Entry[]? properties)
    {
        if (properties is null) return;
        foreach (var member in SafePlanFor(e.GetType()))
        {
            if (Array.Find(properties, p => member.Property.Name.Equals(p.Key)) is not { } entry) continue;
            var wire = entry.Value;
            try
            {
                if (FromWire(wire, member.Property.PropertyType, out var value)) member.Set(e, value);
            }
            catch (Exception) { /* a setter that refuses the value: the others are still set */ }
        }
    }

    /// <summary>Adds the captured <see cref="Exception.Data"/> entries to <paramref name="e"/>.</summary>
    public static void RestoreData(Exception e, ErrorInfo.Entry[]? data)
    {
        if (data is null) return;
        foreach (var (wireKey, wireValue) in data)
        {
            try
            {
                if (FromWire(wireKey, typeof(object), out var key) && key is not null && FromWire(wireValue, typeof(object), out var value))
                    e.Data[key] = value;
            }
            catch (Exception) { /* one entry that does not fit: the others are still added */ }
        }
    }

    private static Member[] SafePlanFor(Type type)
    {
        try { return PlanFor(type); }
        catch (Exception) { return []; } // a type whose members cannot be reflected over: nothing of it travels
    }

    private static Member[] PlanFor(Type type) => Plans.GetOrAdd(type, static t =>
    {
        var members = new List<Member>();
        foreach (var property in t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.GetMethod is not { IsPublic: true } getter) continue;
            // Exception's own properties (Message, Data, HResult, ...) travel as ErrorInfo fields of their own.
            if (getter.GetBaseDefinition().DeclaringType == typeof(Exception)) continue;
            if (members.Exists(m => m.Property.Name == property.Name)) continue; // hidden by a derived 'new' property
            if (Setter(t, property) is { } set) members.Add(new Member(property, set));
        }
        return members.ToArray();
    });

    /// <summary>The property's setter (any visibility, init included), else its backing field; null for a computed one.</summary>
    private static Action<object, object?>? Setter(Type type, PropertyInfo property)
    {
        if (property.DeclaringType?.GetProperty(property.Name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                ?.GetSetMethod(nonPublic: true) is { } setter)
            return (target, value) => setter.Invoke(target, [value]);
        var camel = char.ToLowerInvariant(property.Name[0]) + property.Name[1..];
        string[] names = [$"<{property.Name}>k__BackingField", "_" + camel, "_" + property.Name, "m_" + property.Name, "m_" + camel, camel];
        for (var t = type; t is not null && t != typeof(Exception); t = t.BaseType)
        {
            foreach (var name in names)
            {
                var field = t.GetField(name, BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly);
                if (field is not null && !field.IsLiteral && property.PropertyType.IsAssignableFrom(field.FieldType) && field.FieldType.IsAssignableFrom(property.PropertyType))
                    return field.SetValue;
            }
        }
        return null;
    }

    private static bool ToWire(object? value, out object? wire)
    {
        wire = value;
        if (value is null) return true;
        var type = value.GetType();
        if (type.IsEnum)
        {
            var number = Type.GetTypeCode(Enum.GetUnderlyingType(type)) == TypeCode.UInt64
                ? unchecked((long)Convert.ToUInt64(value, CultureInfo.InvariantCulture))
                : Convert.ToInt64(value, CultureInfo.InvariantCulture);
            wire = new ErrorInfo.EnumValue(type.AssemblyQualifiedName ?? type.FullName!, number);
            return true;
        }
        if (value is sbyte s) { wire = (short)s; return true; } // not on the protocol's allow-list; converted back on restore
        if (SimpleTypes.Contains(type)) return true;
        return type.IsSZArray && SimpleTypes.Contains(type.GetElementType()!);
    }

    private static bool FromWire(object? wire, Type target, out object? value)
    {
        value = null;
        var underlying = Nullable.GetUnderlyingType(target) ?? target;
        if (wire is null) return !target.IsValueType || underlying != target;
        if (wire is ErrorInfo.EnumValue e)
        {
            var enumType = underlying.IsEnum ? underlying : ResolveEnum(e.TypeName);
            if (enumType is null || !target.IsAssignableFrom(enumType) && underlying != enumType) return false;
            value = Enum.ToObject(enumType, e.Value);
            return true;
        }
        if (target.IsInstanceOfType(wire))
        {
            value = wire;
            return true;
        }
        if (wire is IConvertible && underlying.IsPrimitive)
        {
            value = Convert.ChangeType(wire, underlying, CultureInfo.InvariantCulture);
            return true;
        }
        return false;
    }

    private static Type? ResolveEnum(string typeName)
    {
        try { return Type.GetType(typeName, throwOnError: false) is { IsEnum: true } t ? t : null; }
        catch (Exception) { return null; }
    }
}
