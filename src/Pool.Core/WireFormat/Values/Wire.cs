using PoolCluster.WireFormat.Functions;
using PoolCluster.WireFormat.Values;

namespace PoolCluster.WireFormat.Values;

/// <summary>The one door between pool code and the payload serializer, used by parent and child alike.</summary>
internal static class Wire
{
    /// <summary>Chunks of primitives, <c>byte[]</c> or strings and their error-free replies take the compact
    /// <see cref="FastPayload"/> encoding; everything else is Hyperion's. <see cref="FromBytes{T}"/> reads both.</summary>
    public static byte[] ToBytes(object? value) =>
        value is not null && FastPayload.TrySerialize(value, out var fast) ? fast : PayloadSerializer.Instance.Serialize(value);

    /// <summary>Reads all three encodings, and is the only reader that tells them apart (<see cref="PayloadSerializer"/>
    /// reads Hyperion's alone): the short ones are read without touching Hyperion, which a child then never sets up for
    /// primitive payloads and field-less functions.</summary>
    public static T FromBytes<T>(byte[] bytes) =>
        FastPayload.IsFast(bytes) ? (T)FastPayload.Deserialize(bytes)
        : FunctionBodyCodec.IsEncoded(bytes) ? (T)FunctionBodyCodec.Deserialize(bytes)
        : (T)PayloadSerializer.Instance.Deserialize(bytes)!;
}
