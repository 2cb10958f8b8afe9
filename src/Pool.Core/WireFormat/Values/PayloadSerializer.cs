using System.Runtime.ExceptionServices;
using System.Runtime.Serialization;
using Hyperion;
using PoolCluster.WireFormat.Functions;

namespace PoolCluster.WireFormat.Values;

/// <summary>
/// The one Hyperion wrapper shared by the caller and child processes: functions, items, results and errors all
/// travel through it. Thread-safe. Deliberately free of Akka types: the child process loads Pool.Core but never Akka.dll.
/// </summary>
internal sealed class PayloadSerializer
{
    /// <summary>The process-wide instance (Hyperion caches generated serializers per type, so one instance is fastest).</summary>
    public static PayloadSerializer Instance { get; } = new();

    // Streams larger than this are not kept between calls, so one huge payload does not pin memory per thread.
    private const int MaxCachedStreamCapacity = 4 * 1024 * 1024;

    [ThreadStatic] private static MemoryStream? t_stream;

    private readonly Serializer _serializer;

    private PayloadSerializer()
    {
        // Registered shared objects' interface proxies travel as their plain handle (see HostedProxySurrogate).
        // User values: process-bound values are refused anywhere in a graph, and nesting is counted (ValueDepthGuard)
        // so that no value can overflow the stack of the process that writes or reads it.
        _serializer = new Serializer(CreateOptions(Manager.HostedProxySurrogate.All, userValues: true));
    }

    /// <summary>
    /// Hyperion options used by every PoolCluster serializer: object references preserved (shared and cyclic
    /// graphs), no version tolerance (caller and children run the same build), delegates shipped as descriptors,
    /// primitive arrays written as one block.
    /// </summary>
    internal static SerializerOptions CreateOptions(IEnumerable<Surrogate>? surrogates = null, ITypeFilter? typeFilter = null, bool userValues = false) =>
        new(versionTolerance: false,
            preserveObjectReferences: true,
            surrogates: surrogates,
            serializerFactories: userValues
                ? [DelegateValueSerializerFactory.Instance, new PrimitiveArraySerializerFactory(preserveObjectReferences: true), ProcessBoundValues.Instance, ValueDepthGuard.Instance]
                : [DelegateValueSerializerFactory.Instance, new PrimitiveArraySerializerFactory(preserveObjectReferences: true)],
            knownTypes: null,
            ignoreISerializable: true,
            packageNameOverrides: null,
            disallowUnsafeTypes: true,
            typeFilter: typeFilter ?? DisabledTypeFilter.Instance);

    /// <summary>Serializes <paramref name="value"/> (null included) to a new byte array.</summary>
    public byte[] Serialize(object? value)
    {
        try
        {
            return SerializeHere(value);
        }
        catch (ValueDepthGuard.StackExhaustedException)
        {
            // Deeper than this thread's stack: only such values pay for a thread with a stack sized for the depth limit.
            return DeepStack.Run(() => SerializeHere(value));
        }
    }

    private byte[] SerializeHere(object? value)
    {
        // Taken out of the slot while in use, so a re-entrant call on this thread gets its own stream.
        var stream = t_stream ?? new MemoryStream(256);
        t_stream = null;
        try
        {
            stream.SetLength(0);
            if (value is null)
                stream.WriteByte(NullManifest);
            else
                _serializer.Serialize(value, stream);
            return stream.ToArray();
        }
        finally
        {
            if (stream.Capacity <= MaxCachedStreamCapacity)
                t_stream = stream;
        }
    }

    /// <summary>Deserializes a whole array produced by <see cref="Serialize"/>.</summary>
    public object? Deserialize(byte[] bytes) => Deserialize(bytes, 0, bytes.Length);

    /// <summary>Deserializes <paramref name="count"/> bytes of <paramref name="buffer"/> starting at <paramref name="offset"/>.</summary>
    public object? Deserialize(byte[] buffer, int offset, int count)
    {
        using var stream = new MemoryStream(buffer, offset, count, writable: false, publiclyVisible: true);
        return Read(stream);
    }

    /// <summary>Deserializes from a span without copying it.</summary>
    public unsafe object? Deserialize(ReadOnlySpan<byte> bytes)
    {
        fixed (byte* p = bytes)
        {
            using var stream = new UnmanagedMemoryStream(p, bytes.Length);
            return Read(stream);
        }
    }

    /// <summary>Deserializes a whole array and casts the result.</summary>
    public T Deserialize<T>(byte[] bytes) => (T)Deserialize(bytes)!;

    /// <summary>Deserializes from a span and casts the result.</summary>
    public T Deserialize<T>(ReadOnlySpan<byte> bytes) => (T)Deserialize(bytes)!;

    // Hyperion's manifest byte for null (its NullSerializer is internal); Serializer.Serialize rejects null itself.
    private const byte NullManifest = 0;

    private object? Read(Stream stream)
    {
        var start = stream.Position;
        try
        {
            return ReadHere(stream);
        }
        catch (Exception e) when (Find<ValueDepthGuard.StackExhaustedException>(e) is not null)
        {
            // Deeper than this thread's stack: read it again on a thread with a stack sized for the depth limit.
            stream.Position = start;
            return DeepStack.Run(() => ReadHere(stream));
        }
    }

    private object? ReadHere(Stream stream)
    {
        try
        {
            return _serializer.Deserialize(stream);
        }
        catch (SerializationException e) when (((Exception?)Find<FunctionResolutionException>(e) ?? Find<TaskSerializationException>(e)) is { } inner)
        {
            // Hyperion wraps everything thrown inside an object in SerializationException; the build mismatch or the
            // value nested too deep is the real news.
            ExceptionDispatchInfo.Capture(inner).Throw();
            throw;
        }
    }

    private static TException? Find<TException>(Exception e) where TException : Exception
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            if (current is TException found)
                return found;
        }
        return null;
    }
}
