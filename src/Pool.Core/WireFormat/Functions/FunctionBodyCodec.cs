using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Serialization;
using System.Text;
using PoolCluster.Child.Tasks;
using PoolCluster.WireFormat.Values;

namespace PoolCluster.WireFormat.Functions;

/// <summary>
/// A short encoding, beside Hyperion, for the function bodies most calls ship: a <see cref="MapBody{T,R}"/> or
/// <see cref="AsyncMapBody{T,R}"/> whose function captures nothing (a static method, or a lambda on the compiler's
/// field-less <c>&lt;&gt;c</c> singleton), directly or inside one of our <see cref="Adapters"/> (Apply, StarMap...),
/// over types of the core library, of Pool.Core or of the user function's own assembly.
/// Reading it in a child costs a method lookup; Hyperion would build its serializers with expression trees first
/// (measured: ~118 ms of CPU and ~500 JIT-compiled methods in a fresh child, 20 times the task itself), which is most
/// of a child's life under <c>MaxTasksPerChild = 1</c>. Anything else (closures, generic types of other assemblies)
/// stays Hyperion's.
/// </summary>
/// <remarks>
/// Self-describing like <see cref="FastPayload"/>: the first byte is <see cref="Tag"/>, which neither Hyperion nor
/// FastPayload writes first. The child checks the build of the function's module (<see cref="FunctionAssemblies"/>)
/// as the Hyperion path does, and resolves the method by metadata token (<see cref="DelegateDescriptor"/>).
/// </remarks>
internal static class FunctionBodyCodec
{
    public const byte Tag = 0xA8;
    private const byte KindMap = 1, KindAsyncMap = 2;
    private const byte TargetNone = 0, TargetFieldless = 1, TargetAdapter = 2;
    private const byte TypeCoreLibrary = 0, TypeHome = 1, TypePoolCore = 2;

    private static readonly Assembly CoreLibrary = typeof(object).Assembly;
    private static readonly Assembly PoolCore = typeof(FunctionBodyCodec).Assembly;

    /// <summary>Whether <paramref name="bytes"/> holds this encoding.</summary>
    public static bool IsEncoded(ReadOnlySpan<byte> bytes) => bytes.Length > 1 && bytes[0] == Tag;

    /// <summary>Encodes <paramref name="body"/> when it has the supported shape; false otherwise (Hyperion's then).</summary>
    public static bool TrySerialize(object body, out byte[] bytes)
    {
        bytes = [];
        var bodyType = body.GetType();
        if (!bodyType.IsGenericType) return false;
        var definition = bodyType.GetGenericTypeDefinition();
        var kind = definition == typeof(MapBody<,>) ? KindMap : definition == typeof(AsyncMapBody<,>) ? KindAsyncMap : (byte)0;
        if (kind == 0 || bodyType.GetField("Function")?.GetValue(body) is not Delegate function) return false;
        // Home: the assembly of the user's function (inside an adapter, if any), whose types may be named.
        var user = function.Target is { } t && AdapterField(t.GetType()) is { } field && field.GetValue(t) is Delegate wrapped ? wrapped : function;
        var home = user.Method.Module;
        if (home.Assembly.IsDynamic || home.Assembly.IsCollectible) return false;
        var bodyArguments = bodyType.GetGenericArguments();
        if (!bodyArguments.All(a => Nameable(a, home.Assembly))) return false;

        using var stream = new MemoryStream(256);
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Tag);
            writer.Write(kind);
            WriteModule(writer, home);
            WriteTypes(writer, bodyArguments, home.Assembly);
            if (!TryWriteFunction(writer, function, home.Assembly, adapterDepth: 0)) return false;
        }
        bytes = stream.ToArray();
        return true;
    }

    /// <summary>Rebuilds the body written by <see cref="TrySerialize"/>.</summary>
    /// <exception cref="FunctionResolutionException">The function's assembly is missing or a different build, or the method does not bind.</exception>
    public static object Deserialize(byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
        reader.ReadByte(); // the tag
        var kind = reader.ReadByte();
        var definition = kind switch
        {
            KindMap => typeof(MapBody<,>),
            KindAsyncMap => typeof(AsyncMapBody<,>),
            _ => throw new SerializationException($"malformed function body (kind {kind})"),
        };
        // The build is checked before any of its types is looked up, as on the Hyperion path.
        var (home, _, _, _) = ReadModule(reader);
        var bodyArguments = ReadTypes(reader, home.Assembly);
        if (bodyArguments.Length != 2) throw new SerializationException($"malformed function body ({bodyArguments.Length} type arguments)");
        var bodyType = definition.MakeGenericType(bodyArguments);
        var function = ReadFunction(reader, bodyType.GetField("Function")!.FieldType, home.Assembly, adapterDepth: 0);
        return Activator.CreateInstance(bodyType, function)!;
    }

    private static void WriteModule(BinaryWriter writer, Module module)
    {
        writer.Write(module.Assembly.FullName!);
        writer.Write(module.ModuleVersionId.ToByteArray());
        writer.Write(module.Assembly.Location ?? "");
    }

    private static (Module Module, string AssemblyName, Guid Mvid, string? Location) ReadModule(BinaryReader reader)
    {
        var assemblyName = reader.ReadString();
        var mvid = new Guid(reader.ReadBytes(16));
        var location = reader.ReadString() is { Length: > 0 } l ? l : null;
        return (FunctionAssemblies.FindModule(assemblyName, mvid, location), assemblyName, mvid, location);
    }

    /// <summary>
    /// A function whose target is null (static), a field-less instance of its own declaring type (a capture-free
    /// lambda), or one of our <see cref="Adapters"/> around such a function (Apply's thunk, StarMap's unpacking...).
    /// </summary>
    private static bool TryWriteFunction(BinaryWriter writer, Delegate function, Assembly home, int adapterDepth)
    {
        if (!function.HasSingleTarget) return false;
        var method = function.Method;
        if (method is System.Reflection.Emit.DynamicMethod || method.DeclaringType is not { } declaring) return false;
        var assembly = method.Module.Assembly;
        if (assembly.IsDynamic || assembly.IsCollectible) return false;
        byte target;
        Delegate? inner = null;
        if (function.Target is null && method.IsStatic) target = TargetNone;
        else if (function.Target is not { } t || method.IsStatic || t.GetType() != declaring) return false;
        else if (IsFieldless(declaring)) target = TargetFieldless;
        else if (adapterDepth == 0 && AdapterField(declaring) is { } field && field.GetValue(t) is Delegate wrapped)
        {
            target = TargetAdapter;
            inner = wrapped;
        }
        else return false;

        var typeArguments = declaring.IsGenericType ? declaring.GetGenericArguments() : Type.EmptyTypes;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : Type.EmptyTypes;
        if (!typeArguments.Concat(methodArguments).All(a => Nameable(a, home))) return false;

        WriteModule(writer, method.Module);
        writer.Write(method.MetadataToken);
        WriteTypes(writer, typeArguments, home);
        WriteTypes(writer, methodArguments, home);
        writer.Write(target);
        return inner is null || TryWriteFunction(writer, inner, home, adapterDepth + 1);
    }

    private static Delegate ReadFunction(BinaryReader reader, Type delegateType, Assembly home, int adapterDepth)
    {
        var (module, assemblyName, mvid, location) = ReadModule(reader);
        var token = reader.ReadInt32();
        var typeArguments = ReadTypes(reader, home);
        var methodArguments = ReadTypes(reader, home);
        var target = reader.ReadByte();
        if (target > TargetAdapter || (target == TargetAdapter && adapterDepth > 0))
            throw new SerializationException($"malformed function body (target {target})");
        var descriptor = new DelegateDescriptor(delegateType, assemblyName, mvid, location, token, typeArguments, methodArguments, null);
        var method = descriptor.FindMethod(module);
        object? instance = null;
        if (target != TargetNone)
        {
            var declaring = method.DeclaringType!;
            instance = RuntimeHelpers.GetUninitializedObject(declaring);
            if (target == TargetAdapter)
            {
                // Only our own adapters get a field written from the wire.
                var field = AdapterField(declaring) ?? throw new SerializationException($"malformed function body ({declaring} is not an adapter)");
                field.SetValue(instance, ReadFunction(reader, field.FieldType, home, adapterDepth + 1));
            }
        }
        return (descriptor with { Target = instance }).Bind(method);
    }

    /// <summary>The one delegate field of one of our <see cref="Adapters"/>; null for any other type.</summary>
    private static FieldInfo? AdapterField(Type type)
    {
        if (type.DeclaringType != typeof(Adapters) || type.BaseType != typeof(object)) return null;
        var fields = type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly);
        return fields.Length == 1 && typeof(Delegate).IsAssignableFrom(fields[0].FieldType) ? fields[0] : null;
    }

    /// <summary>No instance state anywhere in its hierarchy: a fresh uninitialized instance is as good as the caller's.</summary>
    private static bool IsFieldless(Type type)
    {
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
            if (t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly).Length > 0)
                return false;
        return true;
    }

    /// <summary>Types a child finds by name without Hyperion: anything of the core library (generic instantiations over
    /// it included), or a non-generic type of our own assembly or of the user's function's (found in the module
    /// checked first).</summary>
    private static bool Nameable(Type type, Assembly home)
    {
        if (type.IsGenericParameter || type.IsPointer || type.IsByRef) return false;
        if (type.Assembly != CoreLibrary) return (type.Assembly == home || type.Assembly == PoolCore) && !type.IsGenericType && !type.HasElementType;
        if (type.HasElementType) return Nameable(type.GetElementType()!, CoreLibrary);
        return !type.IsGenericType || type.GetGenericArguments().All(a => Nameable(a, CoreLibrary));
    }

    private static void WriteTypes(BinaryWriter writer, Type[] types, Assembly home)
    {
        writer.Write(types.Length);
        foreach (var type in types)
        {
            var where = type.Assembly == CoreLibrary ? TypeCoreLibrary : type.Assembly == PoolCore ? TypePoolCore : TypeHome;
            writer.Write(where);
            writer.Write(where == TypeCoreLibrary ? type.AssemblyQualifiedName! : type.FullName!);
        }
    }

    private static Type[] ReadTypes(BinaryReader reader, Assembly home)
    {
        var count = reader.ReadInt32();
        if (count is < 0 or > 64) throw new SerializationException($"malformed function body ({count} type arguments)");
        var types = new Type[count];
        for (var i = 0; i < count; i++)
        {
            var where = reader.ReadByte();
            var name = reader.ReadString();
            var type = where switch
            {
                TypeHome => home.GetType(name, throwOnError: false),
                TypePoolCore => PoolCore.GetType(name, throwOnError: false),
                _ => Type.GetType(name, throwOnError: false),
            };
            // Core-library names only by assembly-qualified name: this format never loads another assembly by a name it was sent.
            if (type is null || (where == TypeCoreLibrary && type.Assembly != CoreLibrary))
                throw new FunctionResolutionException($"Cannot find type '{name}' used by the function in this process.", home.FullName ?? "");
            types[i] = type;
        }
        return types;
    }
}
