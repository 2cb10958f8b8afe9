using System.Runtime.Serialization;
using PoolCluster.WireFormat.Functions;
using PoolCluster.WireFormat.Messages;
using PoolCluster.WireFormat.Values;

namespace PoolCluster.Tests.Serialization;

/// <summary>The compact encoding Wire uses for chunks and error-free replies round-trips and keeps shared arrays shared.</summary>
public sealed class FastPayloadTests
{
    [Fact]
    public void Primitive_chunks_and_replies_round_trip_through_Wire()
    {
        var items = new[] { 1L, long.MinValue, 42 };
        var bytes = Wire.ToBytes(items);
        Assert.Equal(FastPayload.Tag, bytes[0]);
        Assert.Equal(items, Wire.FromBytes<long[]>(bytes));

        var reply = Wire.FromBytes<ChunkReply<double>>(Wire.ToBytes(new ChunkReply<double> { Results = [1.5, double.NaN] }));
        Assert.Equal(new[] { 1.5, double.NaN }, reply.Results);
        Assert.Null(reply.ErrorIndexes);
    }

    [Fact]
    public void Byte_arrays_and_strings_round_trip_with_nulls_and_shared_references()
    {
        var shared = new byte[] { 1, 2, 3 };
        var back = Wire.FromBytes<byte[]?[]>(Wire.ToBytes(new[] { shared, null, [], shared }));
        Assert.Equal(shared, back[0]);
        Assert.Null(back[1]);
        Assert.Empty(back[2]!);
        Assert.Same(back[0], back[3]);

        var strings = Wire.FromBytes<string?[]>(Wire.ToBytes(new[] { "héllo", null, "" }));
        Assert.Equal(new[] { "héllo", null, "" }, strings);
    }

    [Fact]
    public void Replies_with_errors_and_other_types_stay_with_Hyperion()
    {
        var withError = new ChunkReply<long> { Results = [0], ErrorIndexes = [0], Errors = [ErrorInfo.From(new InvalidOperationException("x"))] };
        var bytes = Wire.ToBytes(withError);
        Assert.NotEqual(FastPayload.Tag, bytes[0]);
        Assert.IsType<InvalidOperationException>(Wire.FromBytes<ChunkReply<long>>(bytes).ErrorAt(0));
        Assert.NotEqual(FastPayload.Tag, Wire.ToBytes(new object[] { 1L })[0]);
    }

    [Fact]
    public void A_truncated_payload_fails_instead_of_reading_garbage()
    {
        var bytes = Wire.ToBytes(new[] { 1, 2, 3 });
        var e = Assert.Throws<SerializationException>(() => Wire.FromBytes<int[]>(bytes[..^1]));
        Assert.Contains("malformed payload", e.Message);
    }
}
