using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Runtime.Serialization;
using PoolCluster.Child.Tasks;
using PoolCluster.WireFormat.Messages;
using PoolCluster.WireFormat.Values;

namespace PoolCluster.WireFormat.Values;

/// <summary>
/// A compact encoding, beside Hyperion, for the payloads that dominate small tasks and big binary ones: chunks of items
/// (<c>T[]</c>) and chunk replies without errors (<see cref="ChunkReply{R}"/>) whose element type is a primitive,
/// <c>byte[]</c> or <c>string</c>. One exact-size allocation, one copy per element, no Hyperion session.
/// </summary>
/// <remarks>
/// Self-describing: the payload starts with <see cref="Tag"/>, a byte Hyperion never writes first (its root manifests
/// are 0–~40 and 252–255), so <see cref="Wire.FromBytes{T}"/> tells them apart and every reader
/// of payloads keeps working unchanged. Layout: tag, kind (1 = items, 2 = reply), element code, int32 count, elements.
/// <c>byte[]</c> elements keep Hyperion's reference semantics within a payload: an array that occurs twice is written
/// once and read back as one object.
/// </remarks>
internal static class FastPayload
{
    public const byte Tag = 0xA7;
    private const byte KindItems = 1, KindReply = 2;
    private const int HeaderSize = 7; // tag, kind, element code, int32 count

    private static readonly ConcurrentDictionary<Type, (ElementCodec Codec, bool Reply)?> ByType = new();
    private static readonly ElementCodec?[] ByCode = new ElementCodec?[64];

    static FastPayload()
    {
        Register(new BlockCodec<long>(1));
        Register(new BlockCodec<int>(2));
        Register(new BlockCodec<double>(3));
        Register(new BlockCodec<float>(4));
        Register(new BlockCodec<bool>(5));
        Register(new BlockCodec<short>(6));
        Register(new BlockCodec<ushort>(7));
        Register(new BlockCodec<uint>(8));
        Register(new BlockCodec<ulong>(9));
        Register(new BlockCodec<byte>(10));
        Register(new BlockCodec<sbyte>(11));
        Register(new BlockCodec<char>(12));
        Register(new BlockCodec<Adapters.NoArg>(13));
        Register(new BlockCodec<Adapters.NoResult>(14));
        Register(new ByteArrayCodec(20));
        Register(new StringCodec(21));
    }

    private static void Register(ElementCodec codec)
    {
        ByCode[codec.Code] = codec;
        ByType[codec.ArrayType] = (codec, false);
        ByType[codec.ReplyType] = (codec, true);
    }

    /// <summary>Encodes <paramref name="value"/> when it is a supported array or error-free reply; false otherwise.</summary>
    public static bool TrySerialize(object value, out byte[] bytes)
    {
        bytes = null!;
        var type = value.GetType();
        if (!ByType.TryGetValue(type, out var entry))
        {
            // Only arrays and replies are ever candidates; remember the misses so the lookup stays one dictionary probe.
            entry = null;
            ByType.TryAdd(type, entry);
        }
        if (entry is not { } e) return false;
        Array items;
        if (e.Reply)
        {
            var reply = e.Codec.ReplyParts(value, out var hasErrors);
            if (hasErrors) return false;
            items = reply;
        }
        else items = (Array)value;

        var size = HeaderSize + e.Codec.Size(items);
        bytes = GC.AllocateUninitializedArray<byte>(size);
        bytes[0] = Tag;
        bytes[1] = e.Reply ? KindReply : KindItems;
        bytes[2] = e.Codec.Code;
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(3), items.Length);
        e.Codec.Write(items, bytes.AsSpan(HeaderSize));
        return true;
    }

    /// <summary>Whether <paramref name="bytes"/> holds this encoding.</summary>
    public static bool IsFast(ReadOnlySpan<byte> bytes) => bytes.Length >= HeaderSize && bytes[0] == Tag;

    /// <summary>Decodes a payload written by <see cref="TrySerialize"/>.</summary>
    public static object Deserialize(ReadOnlySpan<byte> bytes)
    {
        var kind = bytes[1];
        var codec = bytes[2] < ByCode.Length ? ByCode[bytes[2]] : null;
        var count = BinaryPrimitives.ReadInt32LittleEndian(bytes[3..]);
        if (codec is null || count < 0 || kind is not (KindItems or KindReply))
            throw new SerializationException($"malformed payload (kind {kind}, element code {bytes[2]}, count {count})");
        var items = codec.Read(bytes[HeaderSize..], count);
        return kind == KindReply ? codec.MakeReply(items) : items;
    }

    private abstract class ElementCodec(byte code, Type arrayType, Type replyType)
    {
        public byte Code { get; } = code;
        public Type ArrayType { get; } = arrayType;
        public Type ReplyType { get; } = replyType;
        public abstract int Size(Array items);
        public abstract void Write(Array items, Span<byte> destination);
        public abstract Array Read(ReadOnlySpan<byte> source, int count);
        public abstract Array ReplyParts(object reply, out bool hasErrors);
        public abstract object MakeReply(Array results);
    }

    private abstract class ElementCodec<T>(byte code) : ElementCodec(code, typeof(T[]), typeof(ChunkReply<T>))
    {
        public sealed override Array ReplyParts(object reply, out bool hasErrors)
        {
            var r = (ChunkReply<T>)reply;
            hasErrors = r.ErrorIndexes is not null || r.Errors is not null;
            return r.Results;
        }

        public sealed override object MakeReply(Array results) => new ChunkReply<T> { Results = (T[])results };
    }

    private sealed class BlockCodec<T>(byte code) : ElementCodec<T>(code) where T : unmanaged
    {
        public override int Size(Array items) => PrimitiveBlocks.Size<T>(items.Length);

        public override void Write(Array items, Span<byte> destination) => PrimitiveBlocks.AsBytes((T[])items).CopyTo(destination);

        public override Array Read(ReadOnlySpan<byte> source, int count)
        {
            if (source.Length != PrimitiveBlocks.Size<T>(count)) throw new SerializationException($"malformed payload: {source.Length} bytes for {count} elements");
            return PrimitiveBlocks.Read<T>(source, count);
        }
    }

    // Per element: int32 n; n >= 0: n bytes follow; -1: null; n <= -2: the same array as element (-2 - n).
    private sealed class ByteArrayCodec(byte code) : ElementCodec<byte[]>(code)
    {
        public override int Size(Array items)
        {
            var arrays = (byte[]?[])items;
            var seen = arrays.Length > 1 ? new Dictionary<byte[], int>(ReferenceEqualityComparer.Instance) : null;
            long size = 0;
            for (var i = 0; i < arrays.Length; i++)
            {
                size += 4;
                if (arrays[i] is not { } a || (seen is not null && !seen.TryAdd(a, i))) continue;
                size += a.Length;
            }
            return checked((int)size);
        }

        public override void Write(Array items, Span<byte> destination)
        {
            var arrays = (byte[]?[])items;
            var seen = arrays.Length > 1 ? new Dictionary<byte[], int>(ReferenceEqualityComparer.Instance) : null;
            var at = 0;
            for (var i = 0; i < arrays.Length; i++)
            {
                var a = arrays[i];
                int header;
                if (a is null) header = -1;
                else if (seen is not null && seen.TryGetValue(a, out var first)) header = -2 - first;
                else { header = a.Length; seen?.Add(a, i); }
                BinaryPrimitives.WriteInt32LittleEndian(destination[at..], header);
                at += 4;
                if (header < 0) continue;
                a!.CopyTo(destination[at..]);
                at += a!.Length;
            }
        }

        public override Array Read(ReadOnlySpan<byte> source, int count)
        {
            var result = new byte[]?[count];
            var at = 0;
            for (var i = 0; i < count; i++)
            {
                var n = BinaryPrimitives.ReadInt32LittleEndian(source[at..]);
                at += 4;
                if (n == -1) continue;
                if (n <= -2)
                {
                    var first = -2 - n;
                    if (first >= i) throw new SerializationException("malformed payload: forward array reference");
                    result[i] = result[first];
                    continue;
                }
                var a = GC.AllocateUninitializedArray<byte>(n);
                source.Slice(at, n).CopyTo(a);
                at += n;
                result[i] = a;
            }
            if (at != source.Length) throw new SerializationException("malformed payload: trailing bytes");
            return result;
        }
    }

    // Per element: int32 n (chars; -1 for null), then n UTF-16 code units.
    private sealed class StringCodec(byte code) : ElementCodec<string>(code)
    {
        public override int Size(Array items)
        {
            long size = 0;
            foreach (var s in (string?[])items) size += 4 + (s is null ? 0 : 2L * s.Length);
            return checked((int)size);
        }

        public override void Write(Array items, Span<byte> destination)
        {
            var at = 0;
            foreach (var s in (string?[])items)
            {
                BinaryPrimitives.WriteInt32LittleEndian(destination[at..], s?.Length ?? -1);
                at += 4;
                if (s is null) continue;
                MemoryMarshal.AsBytes(s.AsSpan()).CopyTo(destination[at..]);
                at += 2 * s.Length;
            }
        }

        public override Array Read(ReadOnlySpan<byte> source, int count)
        {
            var result = new string?[count];
            var at = 0;
            for (var i = 0; i < count; i++)
            {
                var n = BinaryPrimitives.ReadInt32LittleEndian(source[at..]);
                at += 4;
                if (n == -1) continue;
                if (n < 0) throw new SerializationException("malformed payload: negative string length");
                result[i] = new string(MemoryMarshal.Cast<byte, char>(source.Slice(at, checked(2 * n))));
                at += 2 * n;
            }
            if (at != source.Length) throw new SerializationException("malformed payload: trailing bytes");
            return result;
        }
    }
}
