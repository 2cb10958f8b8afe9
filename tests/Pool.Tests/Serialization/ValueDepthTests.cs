using Hyperion;
using PoolCluster.WireFormat.Messages;
using PoolCluster.WireFormat.Values;
using Xunit.Abstractions;

namespace PoolCluster.Tests.Serialization;

public sealed class ValueDepthTests(ITestOutputHelper output)
{
    private sealed class Node
    {
        public int V;
        public Node? Next;
    }

    private static Node Chain(int length)
    {
        Node? head = null;
        for (var i = 0; i < length; i++) head = new Node { V = i, Next = head };
        return head!;
    }

    [Fact]
    public void Hyperion_stack_bytes_per_nesting_level_fit_the_deep_stack_budget()
    {
        // Measured, not assumed: the deepest chain that fits a 4 MB stack in each direction.
        const int stack = 4 * 1024 * 1024;
        var serializer = new Serializer(PayloadSerializer.CreateOptions(userValues: true));
        var write = DeepestThatFits(stack, n => { using var s = new MemoryStream(); serializer.Serialize(Chain(n), s); });
        var payloads = new Dictionary<int, byte[]>();
        var read = DeepestThatFits(stack, n =>
        {
            if (!payloads.TryGetValue(n, out var bytes))
                payloads[n] = bytes = DeepStack.Run(() => { using var s = new MemoryStream(); serializer.Serialize(Chain(n), s); return s.ToArray(); });
            serializer.Deserialize(new MemoryStream(bytes));
        });
        var writeBytes = stack / write;
        var readBytes = stack / read;
        output.WriteLine($"serialize: {write:N0} levels in 4 MB = ~{writeBytes} bytes/level; deserialize: {read:N0} levels = ~{readBytes} bytes/level");
        Assert.True(Math.Max(writeBytes, readBytes) * 3 / 2 <= DeepStack.BytesPerLevel,
            $"DeepStack.BytesPerLevel ({DeepStack.BytesPerLevel}) leaves too little room over the measured {Math.Max(writeBytes, readBytes)} bytes/level");
    }

    private static int DeepestThatFits(int stackSize, Action<int> run)
    {
        bool Fits(int n)
        {
            var ok = false;
            var thread = new Thread(() =>
            {
                try { run(n); ok = true; }
                catch (Exception e) when (e is ValueDepthGuard.StackExhaustedException || e.InnerException is ValueDepthGuard.StackExhaustedException) { }
            }, stackSize);
            thread.Start();
            Assert.True(thread.Join(TimeSpan.FromSeconds(60)));
            return ok;
        }

        int low = 100, high = 100_000;
        while (high - low > 50)
        {
            var mid = (low + high) / 2;
            if (Fits(mid)) low = mid; else high = mid;
        }
        return low;
    }

    [Fact]
    public void A_value_deeper_than_the_thread_stack_round_trips_through_the_payload_serializer()
    {
        var bytes = PayloadSerializer.Instance.Serialize(Chain(30_000));
        var back = (Node)PayloadSerializer.Instance.Deserialize(bytes)!;
        var n = 0;
        for (var node = back; node is not null; node = node.Next) n++;
        Assert.Equal(30_000, n);
    }

    private static object NestedArrays(int depth)
    {
        object value = 0;
        for (var i = 0; i < depth; i++) value = new object[] { value };
        return value;
    }

    private static object NestedLists(int depth)
    {
        object value = 0;
        for (var i = 0; i < depth; i++) value = new List<object> { value };
        return value;
    }

    [Theory]
    [InlineData("arrays")]
    [InlineData("lists")]
    [InlineData("nodes")]
    public void Nesting_past_the_limit_is_a_clear_error_when_written_and_when_read(string shape)
    {
        Func<int, object> make = shape switch { "arrays" => NestedArrays, "lists" => NestedLists, _ => n => Chain(n) };
        var tooDeep = Assert.Throws<TaskSerializationException>(() => PayloadSerializer.Instance.Serialize(make(150_000)));
        Assert.Contains("nests more than 100,000 objects deep", tooDeep.Message);

        // A payload written under a higher limit (another process's) is refused by a reader with a lower one.
        byte[] bytes;
        ValueDepthGuard.Set(200_000);
        try { bytes = PayloadSerializer.Instance.Serialize(make(150_000)); }
        finally { ValueDepthGuard.Set(ValueDepthGuard.DefaultMaxDepth); }
        var onRead = Assert.Throws<TaskSerializationException>(() => PayloadSerializer.Instance.Deserialize(bytes));
        Assert.Contains("nests more than 100,000 objects deep", onRead.Message);
    }
}
