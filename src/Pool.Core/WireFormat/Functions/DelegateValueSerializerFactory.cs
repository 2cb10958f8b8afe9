using System.Collections.Concurrent;
using Hyperion;
using Hyperion.SerializerFactories;
using Hyperion.ValueSerializers;
using PoolCluster.WireFormat.Values;

namespace PoolCluster.WireFormat.Functions;

/// <summary>
/// Makes Hyperion ship delegates as <see cref="DelegateDescriptor"/>s.
/// </summary>
/// <remarks>
/// A plain <c>Surrogate</c> does not work for delegates: Hyperion's own DelegateSerializerFactory comes before
/// its surrogate factories and claims every delegate type (it ships a raw MethodInfo with no build check).
/// Custom factories run before all built-in ones, so this one wins.
/// The wire layout writes the assembly name, MVID and location first, so the child checks the build before it
/// reads the target: a closure class from a different build would otherwise fail with a confusing field error.
/// </remarks>
internal sealed class DelegateValueSerializerFactory : ValueSerializerFactory
{
    public static readonly DelegateValueSerializerFactory Instance = new();

    public override bool CanSerialize(Serializer serializer, Type type) => typeof(Delegate).IsAssignableFrom(type);

    public override bool CanDeserialize(Serializer serializer, Type type) => type == typeof(ShippedDelegate);

    public override ValueSerializer BuildSerializer(Serializer serializer, Type type, ConcurrentDictionary<Type, ValueSerializer> typeMapping)
    {
        var s = DelegateValueSerializer.Instance;
        typeMapping.TryAdd(type, s);
        return s;
    }

    /// <summary>Never instantiated: its name is the wire manifest of every shipped delegate, whatever its type.</summary>
    private sealed class ShippedDelegate;

    private sealed class DelegateValueSerializer : ValueSerializer
    {
        public static readonly DelegateValueSerializer Instance = new();

        // Used only for its manifest bytes (type name and per-session type index).
        private readonly ObjectSerializer _manifest = new(typeof(ShippedDelegate));

        public override void WriteManifest(Stream stream, SerializerSession session) => _manifest.WriteManifest(stream, session);

        public override void WriteValue(Stream stream, object value, SerializerSession session)
        {
            var descriptor = DelegateDescriptor.Describe((Delegate)value);
            var serializer = session.Serializer;
            serializer.Serialize(descriptor.AssemblyName, stream, session);
            serializer.Serialize(descriptor.ModuleVersionId, stream, session);
            serializer.Serialize(descriptor.AssemblyLocation ?? "", stream, session);
            // Not the descriptor record itself: Hyperion tracks references in a dictionary that uses Equals, and two
            // equal records (a recursive closure holds a delegate equal to the one being written) would collide.
            // A fresh array is unique, and its elements get Hyperion's normal reference handling.
            serializer.Serialize(new object?[]
            {
                descriptor.DelegateType, descriptor.MetadataToken, descriptor.TypeArguments, descriptor.MethodArguments, descriptor.Target,
            }, stream, session);
        }

        public override object ReadValue(Stream stream, DeserializerSession session)
        {
            var serializer = session.Serializer;
            var assemblyName = (string)serializer.Deserialize(stream, session);
            var mvid = (Guid)serializer.Deserialize(stream, session);
            var location = (string)serializer.Deserialize(stream, session);
            var module = FunctionAssemblies.FindModule(assemblyName, mvid, location.Length == 0 ? null : location);
            var body = (object?[])serializer.Deserialize(stream, session);
            var descriptor = new DelegateDescriptor(
                (Type)body[0]!, assemblyName, mvid, location.Length == 0 ? null : location,
                (int)body[1]!, (Type[])body[2]!, (Type[])body[3]!, body[4]);
            return descriptor.Resolve(module);
        }

        public override Type GetElementType() => typeof(Delegate);
    }
}
