using System.Collections.Concurrent;
using Hyperion;
using Hyperion.SerializerFactories;
using Hyperion.ValueSerializers;
using PoolCluster.WireFormat.Messages;

namespace PoolCluster.WireFormat.Values;

/// <summary>
/// Refuses, wherever it sits in a value's graph, a value that only means something in its own process (a stream, a
/// handle, a task, a thread, a cancellation source...). Hyperion would copy its fields and hand the other side a dead
/// object (handle 0, a task that never completes); this fails the write instead, with a clear
/// <see cref="TaskSerializationException"/>. It costs nothing per value: Hyperion asks once per type.
/// </summary>
internal sealed class ProcessBoundValues : ValueSerializerFactory
{
    public static readonly ProcessBoundValues Instance = new();

    public override bool CanSerialize(Serializer serializer, Type type) => ProcessBoundTypes.IsBoundItself(type);

    public override bool CanDeserialize(Serializer serializer, Type type) => false;

    public override ValueSerializer BuildSerializer(Serializer serializer, Type type, ConcurrentDictionary<Type, ValueSerializer> typeMapping)
    {
        var s = new Refusing(type);
        typeMapping.TryAdd(type, s);
        return s;
    }

    /// <summary>The message for a value of <paramref name="type"/> that cannot travel.</summary>
    public static string Explain(Type type) =>
        $"A value of type {type.FullName} cannot travel between processes: streams, handles, threads, tasks, " +
        "cancellation sources, sockets, processes, actor systems and other process-bound objects only mean something in " +
        "the process that made them (the other side would get a dead copy). Send the data instead (a path, the bytes, a result).";

    // Built when a field or element of this type exists; throws only when such a value is actually written (null is fine).
    private sealed class Refusing(Type type) : ValueSerializer
    {
        public override void WriteManifest(Stream stream, SerializerSession session) => throw new TaskSerializationException(Explain(type));

        public override void WriteValue(Stream stream, object value, SerializerSession session) => throw new TaskSerializationException(Explain(type));

        public override object ReadValue(Stream stream, DeserializerSession session) => throw new NotSupportedException();

        public override Type GetElementType() => type;
    }
}
