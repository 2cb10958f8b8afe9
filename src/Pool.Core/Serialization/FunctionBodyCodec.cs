using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Serialization;
using System.Text;
using PoolCluster.Tasks;

namespace PoolCluster.Serialization;

/// <summary>
/// A short encoding, beside Hyperion, for the function bodies most calls ship: a <see cref="MapBody{T,R}"/> or
/// <see cref="AsyncMapBody{T,R}"/> whose function captures nothing (a static method, or a lambda on the compiler's
/// field-less <c>&lt;&gt;c</c> singleton), over types of the core library or of the function's own assembly.
/// Reading it in a child costs a method lookup; Hyperion would build its serializers with expression trees first
/// (measured: ~118 ms of CPU and ~500 JIT-compiled methods in a fresh child, 20 times the task itself), which is most
/// of a child's life under <c>MaxTasksPerChild = 1</c>. Anything else (closures, adapters, other assemblies' types)
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
    private const byte TargetNone = 0, TargetFieldless = 1;
    private const byte TypeCoreLibrary = 0, TypeFunctionAssembly = 1;

    private static readonly Assembly CoreLibrary = typeof(object).Assembly;

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
        if (kind == 0 || bodyType.GetField("Function")?.GetValue(body) is not Delegate function || !function.HasSingleTarget) return false;

        var method = function.Method;
        if (method is System.Reflection.Emit.DynamicMethod || method.DeclaringType is not { } declaring) return false;
        var assembly = method.Module.Assembly;
        if (assembly.IsDynamic || assembly.IsCollectible) return false;
        byte target;
        if (function.Target is null && method.IsStatic) target = TargetNone;
        else if (function.Target is { } t && !method.IsStatic && t.GetType() == declaring && IsFieldless(declaring)) target = TargetFieldless;
        else return false;

        var typeArguments = declaring.IsGenericType ? declaring.GetGenericArguments() : Type.EmptyTypes;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : Type.EmptyTypes;
        var bodyArguments = bodyType.GetGenericArguments();
        if (!bodyArguments.Concat(typeArguments).Concat(methodArguments).All(a => Nameable(a, assembly))) return false;

        using var stream = new MemoryStream(256);
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Tag);
            writer.Write(kind);
            writer.Write(assembly.FullName!);
            writer.Write(method.Module.ModuleVersionId.ToByteArray());
            writer.Write(assembly.Location ?? "");
            writer.Write(method.MetadataToken);
            WriteTypes(writer, bodyArguments, assembly);
            WriteTypes(writer, typeArguments, assembly);
            WriteTypes(writer, methodArguments, assembly);
            writer.Write(target);
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
        var assemblyName = reader.ReadString();
        var mvid = new Guid(reader.ReadBytes(16));
        var location = reader.ReadString();
        var token = reader.ReadInt32();
        // The build is checked before any of its types is looked up, as on the Hyperion path.
        var module = FunctionAssemblies.FindModule(assemblyName, mvid, location.Length == 0 ? null : location);
        var bodyArguments = ReadTypes(reader, module.Assembly, assemblyName);
        var typeArguments = ReadTypes(reader, module.Assembly, assemblyName);
        var methodArguments = ReadTypes(reader, module.Assembly, assemblyName);
        var target = reader.ReadByte();
        var definition = kind switch
        {
            KindMap => typeof(MapBody<,>),
            KindAsyncMap => typeof(AsyncMapBody<,>),
            _ => throw new SerializationException($"malformed function body (kind {kind})"),
        };
        if (bodyArguments.Length != 2 || target > TargetFieldless)
            throw new SerializationException($"malformed function body ({bodyArguments.Length} type arguments, target {target})");
        var bodyType = definition.MakeGenericType(bodyArguments);
        var delegateType = bodyType.GetField("Function")!.FieldType;
        var descriptor = new DelegateDescriptor(delegateType, assemblyName, mvid, location, token, typeArguments, methodArguments, null);
        var method = descriptor.FindMethod(module);
        var instance = target == TargetFieldless ? RuntimeHelpers.GetUninitializedObject(method.DeclaringType!) : null;
        var function = (descriptor with { Target = instance }).Bind(method);
        return Activator.CreateInstance(bodyType, function)!;
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
    /// it included), or a non-generic type of the function's own assembly (found in the module checked above).</summary>
    private static bool Nameable(Type type, Assembly functionAssembly)
    {
        if (type.IsGenericParameter || type.IsPointer || type.IsByRef) return false;
        if (type.Assembly == functionAssembly) return !type.IsGenericType && !type.HasElementType;
        if (type.HasElementType) return Nameable(type.GetElementType()!, CoreLibrary) && type.Assembly == CoreLibrary;
        return type.Assembly == CoreLibrary && (!type.IsGenericType || type.GetGenericArguments().All(a => Nameable(a, CoreLibrary)));
    }

    private static void WriteTypes(BinaryWriter writer, Type[] types, Assembly functionAssembly)
    {
        writer.Write(types.Length);
        foreach (var type in types)
        {
            var own = type.Assembly == functionAssembly && functionAssembly != CoreLibrary;
            writer.Write(own ? TypeFunctionAssembly : TypeCoreLibrary);
            writer.Write(own ? type.FullName! : type.AssemblyQualifiedName!);
        }
    }

    private static Type[] ReadTypes(BinaryReader reader, Assembly functionAssembly, string assemblyName)
    {
        var count = reader.ReadInt32();
        if (count is < 0 or > 64) throw new SerializationException($"malformed function body ({count} type arguments)");
        var types = new Type[count];
        for (var i = 0; i < count; i++)
        {
            var where = reader.ReadByte();
            var name = reader.ReadString();
            var type = where == TypeFunctionAssembly ? functionAssembly.GetType(name, throwOnError: false) : Type.GetType(name, throwOnError: false);
            // Core-library names only: this format never loads an assembly by a name it was sent.
            if (type is null || (where != TypeFunctionAssembly && type.Assembly != CoreLibrary))
                throw new FunctionResolutionException($"Cannot find type '{name}' used by the function in this process.", assemblyName);
            types[i] = type;
        }
        return types;
    }
}
