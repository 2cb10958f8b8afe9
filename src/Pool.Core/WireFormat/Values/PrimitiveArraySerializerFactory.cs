using System.Buffers.Binary;
using System.Collections.Concurrent;
using Hyperion;
using Hyperion.SerializerFactories;
using Hyperion.ValueSerializers;
using PoolCluster.WireFormat.Messages;

namespace PoolCluster.WireFormat.Values;

/// <summary>
/// Writes arrays of fixed-size primitives (int[], long[], double[], ...) inside values as one block copy
/// (<see cref="PrimitiveBlocks"/>), in exactly the layout Hyperion's own array reader expects, so reading stays Hyperion's.
/// </summary>
/// <remarks>
/// Hyperion's writer for these arrays dispatches through <c>dynamic</c> and copies into a temporary array first
/// (about 3 ms for an int[125000], mostly large-object-heap churn); chunks of items take this path on every call.
/// Layout: array manifest, element type manifest, int32 length, raw little-endian element bytes.
/// </remarks>
internal sealed class PrimitiveArraySerializerFactory : ValueSerializerFactory
{
    // Hyperion's ConsistentArraySerializer.Manifest (the type is internal).
    private const byte ArrayManifest = 252;

    private readonly bool _preserveObjectReferences;

    /// <param name="preserveObjectReferences">Must match the serializer options: the reader tracks the array when they preserve references.</param>
    public PrimitiveArraySerializerFactory(bool preserveObjectReferences) => _preserveObjectReferences = preserveObjectReferences;

    public override bool CanSerialize(Serializer serializer, Type type) =>
        type.IsSZArray && PrimitiveBlocks.IsBlockElement(type.GetElementType()!);

    public override bool CanDeserialize(Serializer serializer, Type type) => false;

    public override ValueSerializer BuildSerializer(Serializer serializer, Type type, ConcurrentDictionary<Type, ValueSerializer> typeMapping)
    {
        var elementType = type.GetElementType()!;
        var s = new BlockArraySerializer(elementType, _preserveObjectReferences);
        typeMapping.TryAdd(type, s);
        return s;
    }

    private sealed class BlockArraySerializer(Type elementType, bool preserveObjectReferences) : ValueSerializer
    {
        public override void WriteManifest(Stream stream, SerializerSession session) => stream.WriteByte(ArrayManifest);

        public override void WriteValue(Stream stream, object value, SerializerSession session)
        {
            var array = (Array)value;
            if (preserveObjectReferences)
                session.TrackSerializedObject(array);
            session.Serializer.GetSerializerByType(elementType).WriteManifest(stream, session);

            Span<byte> length = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(length, array.Length);
            stream.Write(length);
            stream.Write(PrimitiveBlocks.AsBytes(array));
        }

        public override object ReadValue(Stream stream, DeserializerSession session) => throw new NotSupportedException();

        public override Type GetElementType() => elementType;
    }
}
