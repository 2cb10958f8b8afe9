using System.Collections.Immutable;
using PoolCluster.WireFormat.Messages;
using PoolCluster.WireFormat.Values;

namespace PoolCluster.Tests.Serialization;

public sealed class PayloadSerializerTests
{
    public sealed record Point(int X, int Y);
    public sealed record Shape(string Name, IReadOnlyList<Point> Points, Point? Anchor);

    private static T RoundTrip<T>(T value) => PayloadSerializer.Instance.Deserialize<T>(PayloadSerializer.Instance.Serialize(value));

    [Fact]
    public void Primitives_and_strings_round_trip()
    {
        Assert.Equal(42, RoundTrip(42));
        Assert.Equal(-7L, RoundTrip(-7L));
        Assert.Equal(3.25, RoundTrip(3.25));
        Assert.Equal(1.5m, RoundTrip(1.5m));
        Assert.True(RoundTrip(true));
        Assert.Equal('x', RoundTrip('x'));
        Assert.Equal("héllo", RoundTrip("héllo"));
        Assert.Equal("", RoundTrip(""));
        Assert.Equal(new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc), RoundTrip(new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc)));
    }

    [Fact]
    public void Null_round_trips()
    {
        var bytes = PayloadSerializer.Instance.Serialize(null);
        Assert.Null(PayloadSerializer.Instance.Deserialize(bytes));
        Assert.Null(PayloadSerializer.Instance.Deserialize(bytes.AsSpan()));
    }

    [Fact]
    public void Arrays_round_trip()
    {
        Assert.Equal(Enumerable.Range(0, 1000).ToArray(), RoundTrip(Enumerable.Range(0, 1000).ToArray()));
        Assert.Equal(new byte[] { 1, 2, 255 }, RoundTrip(new byte[] { 1, 2, 255 }));
        Assert.Equal(new[] { "a", null, "c" }, RoundTrip(new[] { "a", null, "c" }));
        Assert.Equal(new object?[] { 1, "two", null, 3.0, new Point(1, 2) }, RoundTrip(new object?[] { 1, "two", null, 3.0, new Point(1, 2) }));
        Assert.Empty(RoundTrip(Array.Empty<int>()));
    }

    [Fact]
    public void Value_tuples_and_records_round_trip()
    {
        Assert.Equal((1, "a"), RoundTrip((1, "a")));
        Assert.Equal(new[] { (1, 2.5), (3, 4.5) }, RoundTrip(new[] { (1, 2.5), (3, 4.5) }));
        var shape = new Shape("tri", [new Point(0, 0), new Point(1, 0)], null);
        var back = RoundTrip(shape);
        Assert.Equal(shape.Name, back.Name);
        Assert.Equal(shape.Points, back.Points);
        Assert.Null(back.Anchor);
    }

    [Fact]
    public void Collections_round_trip()
    {
        Assert.Equal(new List<int> { 3, 1, 2 }, RoundTrip(new List<int> { 3, 1, 2 }));
        var dict = new Dictionary<string, int[]> { ["a"] = [1], ["b"] = [2, 3] };
        Assert.Equal(dict, RoundTrip(dict));
        Assert.Equal(ImmutableList.Create(1, 2, 3), RoundTrip(ImmutableList.Create(1, 2, 3)));
        Assert.True(RoundTrip(ImmutableArray.Create("x", "y")).SequenceEqual(["x", "y"]));
        var map = ImmutableDictionary<string, Point>.Empty.Add("p", new Point(5, 6));
        Assert.Equal(new Point(5, 6), RoundTrip(map)["p"]);
    }

    [Fact]
    public void Cyclic_graphs_round_trip()
    {
        var node = new Node { Name = "a" };
        node.Next = node;
        var back = RoundTrip(node);
        Assert.Same(back, back.Next);
    }

    public sealed class Node
    {
        public string Name = "";
        public Node? Next;
    }

    [Fact]
    public void Shared_references_are_preserved()
    {
        var shared = new List<int> { 1 };
        var back = RoundTrip(new object[] { shared, shared });
        Assert.Same(back[0], back[1]);
    }

    [Fact]
    public void Span_and_offset_overloads_read_the_same_bytes()
    {
        var payload = PayloadSerializer.Instance.Serialize(new Point(3, 4));
        var framed = new byte[payload.Length + 10];
        payload.CopyTo(framed, 7);

        Assert.Equal(new Point(3, 4), PayloadSerializer.Instance.Deserialize(framed, 7, payload.Length));
        Assert.Equal(new Point(3, 4), PayloadSerializer.Instance.Deserialize(framed.AsSpan(7, payload.Length)));
        Assert.Equal(new Point(3, 4), PayloadSerializer.Instance.Deserialize<Point>(framed.AsSpan(7, payload.Length)));
    }

    [Fact]
    public void Large_int_array_round_trips_and_stays_compact()
    {
        var items = Enumerable.Range(0, 125_000).ToArray();
        var bytes = PayloadSerializer.Instance.Serialize(items);
        // Primitive arrays are block-copied: 4 bytes per int plus a small header.
        Assert.InRange(bytes.Length, 500_000, 500_100);
        Assert.Equal(items, PayloadSerializer.Instance.Deserialize<int[]>(bytes));
    }

    [Fact]
    public void Concurrent_use_from_many_threads_is_safe()
    {
        Parallel.For(0, 2000, i =>
        {
            var value = new Shape("s" + i, [new Point(i, -i)], new Point(i, i));
            var back = RoundTrip(value);
            Assert.Equal(value.Name, back.Name);
            Assert.Equal(value.Points[0], back.Points[0]);
            Assert.Equal(value.Anchor, back.Anchor);
        });
    }
}
