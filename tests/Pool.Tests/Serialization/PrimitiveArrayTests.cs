using Hyperion;
using PoolCluster.WireFormat.Messages;
using PoolCluster.WireFormat.Values;

namespace PoolCluster.Tests.Serialization;

public sealed class PrimitiveArrayTests
{
    public sealed record Chunk(long First, double[] Values, int[] Ids);

    public static TheoryData<Array> Arrays() => new()
    {
        new short[] { -1, 2, short.MaxValue }, new ushort[] { 1, ushort.MaxValue },
        new[] { 1, -2, int.MinValue }, new uint[] { 7, uint.MaxValue },
        new[] { 1L, long.MinValue }, new ulong[] { 3, ulong.MaxValue },
        new[] { 'a', 'é', '\0' }, new[] { true, false, true },
        new[] { 1.5, double.NaN, -0.0 }, new[] { 2.5f, float.PositiveInfinity },
        Array.Empty<int>(), Array.Empty<double>(),
    };

    [Theory]
    [MemberData(nameof(Arrays))]
    public void Round_trips(Array array)
    {
        var back = (Array)PayloadSerializer.Instance.Deserialize(PayloadSerializer.Instance.Serialize(array))!;
        Assert.Equal(array.GetType(), back.GetType());
        Assert.Equal(array.Cast<object>(), back.Cast<object>());
    }

    [Theory]
    [MemberData(nameof(Arrays))]
    public void Block_write_produces_hyperions_own_bytes(Array array)
    {
        // Reading stays Hyperion's, so the fast writer must be byte-for-byte what Hyperion itself writes.
        var plain = new Serializer(SerializerOptions.Default.WithPreserveObjectReferences(true));
        using var stream = new MemoryStream();
        plain.Serialize(array, stream);
        Assert.Equal(stream.ToArray(), PayloadSerializer.Instance.Serialize(array));
    }

    [Fact]
    public void Arrays_inside_records_and_shared_arrays_round_trip()
    {
        var ids = new[] { 4, 5 };
        var back = PayloadSerializer.Instance.Deserialize<object[]>(PayloadSerializer.Instance.Serialize(
            new object[] { new Chunk(9, [0.5, 1.5], ids), ids, ids }));

        var chunk = Assert.IsType<Chunk>(back[0]);
        Assert.Equal(new[] { 0.5, 1.5 }, chunk.Values);
        Assert.Equal(ids, chunk.Ids);
        Assert.Same(chunk.Ids, back[1]);
        Assert.Same(back[1], back[2]);
    }
}
