using PoolCluster.Tests.Support;

namespace PoolCluster.Tests.Pool;

public sealed class ShippingTests(SharedPoolFixture fixture) : IClassFixture<SharedPoolFixture>
{
    private WorkerPool Pool => fixture.Pool;

    [Fact]
    public void A_closure_capturing_a_stream_fails_at_the_call_naming_the_member()
    {
        using var stream = new MemoryStream();
        var addLength = CaptureStream(stream);
        var e = Assert.Throws<TaskSerializationException>(() => Pool.Map(addLength, new[] { 1 }));
        Assert.Equal("stream", e.MemberName);
        Assert.Contains("stream", e.Message);
        Assert.Equal(new[] { 1 }, Pool.Map(TestFunctions.Square, new[] { 1 }));
    }

    // A closure as user code would write it: the lambda captures a local stream and nothing else.
    private static Func<int, int> CaptureStream(Stream stream) => x => x + (int)stream.Length;

    [Fact]
    public void A_closure_that_captures_this_of_a_pool_owner_is_refused_naming_the_path()
    {
        var e = Assert.Throws<TaskSerializationException>(() => Pool.Map((int x) => x + Pool.Processes, new[] { 1 }));
        Assert.StartsWith("this", e.MemberName);
    }

    [Fact]
    public void A_result_that_cannot_be_serialized_fails_that_task_clearly()
    {
        var e = Assert.Throws<TaskSerializationException>(() => Pool.Apply(TestFunctions.UnserializableResult));
        Assert.Contains("result", e.Message);
        Assert.Equal(4, Pool.Apply(TestFunctions.Square, 2));
    }

    [Fact]
    public void Records_and_collections_travel_both_ways()
    {
        var result = Pool.Apply((Point p) => new Point(p.X * 2, p.Y * 2) with { Tags = [.. p.Tags, "doubled"] }, new Point(1, 2) { Tags = ["a"] });
        Assert.Equal((2, 4), (result.X, result.Y));
        Assert.Equal(new[] { "a", "doubled" }, result.Tags);
    }

    public sealed record Point(int X, int Y)
    {
        public List<string> Tags { get; init; } = [];
    }
}
