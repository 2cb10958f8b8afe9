using PoolCluster.Tests.Support;

namespace PoolCluster.Tests.Pool;

public sealed class ImapTests(SharedPoolFixture fixture) : IClassFixture<SharedPoolFixture>
{
    private WorkerPool Pool => fixture.Pool;

    private static IEnumerable<int> Endless()
    {
        for (var i = 0; ; i++) yield return i;
    }

    [Fact]
    public void Imap_is_ordered()
    {
        Assert.Equal(Enumerable.Range(0, 50).Select(x => x * x), Pool.Imap(TestFunctions.Square, Enumerable.Range(0, 50), chunkSize: 3).ToList());
    }

    [Fact]
    public void ImapUnordered_yields_every_result_once()
    {
        var results = Pool.ImapUnordered(TestFunctions.Square, Enumerable.Range(0, 50)).ToList();
        Assert.Equal(Enumerable.Range(0, 50).Select(x => x * x).Order(), results.Order());
    }

    [Fact]
    public void Imap_over_an_endless_input_returns_the_first_five()
    {
        Assert.Equal(new[] { 0, 1, 4, 9, 16 }, Pool.Imap(TestFunctions.Square, Endless()).Take(5).ToList());
        Assert.Equal(5, Pool.ImapUnordered(TestFunctions.Square, Endless()).Take(5).Count());
    }

    [Fact]
    public void Imap_reads_its_input_lazily_with_a_bounded_lookahead()
    {
        var read = 0;
        IEnumerable<int> Counting()
        {
            for (var i = 0; ; i++) { Interlocked.Increment(ref read); yield return i; }
        }
        using var e = Pool.Imap(TestFunctions.Square, Counting(), chunkSize: 2).GetEnumerator();
        Assert.True(e.MoveNext());
        var bound = Pool.Settings.ImapLookaheadPerProcess * Pool.Processes * 2 + 2;
        Assert.InRange(read, 1, bound);
    }

    [Fact]
    public void Imap_does_not_touch_the_input_before_iteration()
    {
        var read = 0;
        IEnumerable<int> Counting() { read++; yield return 1; }
        var lazy = Pool.Imap(TestFunctions.Square, Counting());
        Assert.Equal(0, read);
        Assert.Equal(new[] { 1 }, lazy.ToList());
    }

    [Fact]
    public void A_failed_item_raises_at_its_position_and_iteration_can_continue()
    {
        using var e = Pool.Imap(TestFunctions.FailOn, Enumerable.Range(0, 6)).GetEnumerator();
        var seen = new List<int>();
        for (var i = 0; i < 3; i++) { Assert.True(e.MoveNext()); seen.Add(e.Current); }
        var error = Assert.Throws<CustomTaskException>(() => e.MoveNext());
        Assert.Equal("item 3 is bad", error.Message);
        while (e.MoveNext()) seen.Add(e.Current);
        Assert.Equal(new[] { 0, 1, 2, 4, 5 }, seen);
    }
}
