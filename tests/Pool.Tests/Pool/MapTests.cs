using PoolCluster.Tests.Support;

namespace PoolCluster.Tests.Pool;

public sealed class MapTests(SharedPoolFixture fixture) : IClassFixture<SharedPoolFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private WorkerPool Pool => fixture.Pool;

    [Fact]
    public void Map_returns_results_in_input_order()
    {
        Assert.Equal(Enumerable.Range(0, 100).Select(x => x * x), Pool.Map(TestFunctions.Square, Enumerable.Range(0, 100)));
    }

    [Fact]
    public void Map_runs_in_child_processes_not_the_caller()
    {
        var pids = Pool.Map(TestFunctions.PidOf, Enumerable.Range(0, 20), chunkSize: 1);
        Assert.DoesNotContain(Environment.ProcessId, pids);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(8, 1)]
    [InlineData(9, 2)]
    [InlineData(100, 13)]
    [InlineData(1_000_000, 125_000)]
    public void Default_chunk_size_follows_Pythons_formula(int count, int expected)
    {
        // processes = 2: ceil(count / (2 * 4))
        Assert.Equal(expected, Pool.DefaultChunkSize(count));
    }

    [Fact]
    public void Map_of_nothing_is_empty()
    {
        Assert.Empty(Pool.Map(TestFunctions.Square, Array.Empty<int>()));
    }

    [Fact]
    public void Map_with_a_closure_uses_the_captured_value()
    {
        var offset = 17;
        Assert.Equal(new[] { 17, 18, 19 }, Pool.Map((int x) => x + offset, new[] { 0, 1, 2 }));
    }

    [Fact]
    public void Map_raises_the_first_failure_by_position_as_its_own_type_with_the_remote_stack()
    {
        var e = Assert.Throws<CustomTaskException>(() => Pool.Map(TestFunctions.FailOn, Enumerable.Range(0, 50), chunkSize: 4));
        Assert.Equal("item 3 is bad", e.Message);
        Assert.Contains(nameof(TestFunctions.FailOn), e.StackTrace);
        // the pool keeps working
        Assert.Equal(new[] { 4 }, Pool.Map(TestFunctions.Square, new[] { 2 }));
    }

    [Fact]
    public void An_exception_type_that_cannot_be_rebuilt_arrives_as_RemoteTaskException()
    {
        var e = Assert.Throws<RemoteTaskException>(() => Pool.Apply(UnbuildableException.Throw, 5));
        Assert.Contains(nameof(UnbuildableException), e.RemoteTypeName);
        Assert.Equal("code 5", e.RemoteMessage);
        Assert.Contains(nameof(UnbuildableException.Throw), e.RemoteStackTrace);
    }

    [Fact]
    public void MapAsync_runs_the_callback_before_the_result_is_ready()
    {
        IReadOnlyList<int>? seen = null;
        bool? readyElsewhere = null;
        var self = new TaskCompletionSource<AsyncResult<IReadOnlyList<int>>>();
        var result = Pool.MapAsync(TestFunctions.Square, new[] { 1, 2, 3 }, callback: r =>
        {
            seen = r;
            readyElsewhere = CallbackProbe.ReadyOnAnotherThread(self.Task, Patience);
        });
        self.SetResult(result);
        Assert.Equal(new[] { 1, 4, 9 }, result.Get(Patience));
        Assert.Equal(new[] { 1, 4, 9 }, seen);
        Assert.True(result.Successful);
        Assert.False(readyElsewhere, "while the callback ran, another thread saw the result as ready (or could not tell)");
    }

    [Fact]
    public void MapAsync_runs_the_error_callback_on_failure()
    {
        Exception? seen = null;
        var result = Pool.MapAsync(TestFunctions.ThrowInvalid, new[] { 1 }, errorCallback: e => seen = e);
        Assert.Throws<InvalidOperationException>(() => result.Get(Patience));
        Assert.IsType<InvalidOperationException>(seen);
        Assert.False(result.Successful);
    }

    [Fact]
    public void StarMap_spreads_tuples_over_arguments()
    {
        Assert.Equal(new[] { 3, 7 }, Pool.StarMap((int a, int b) => a + b, new[] { (1, 2), (3, 4) }));
        Assert.Equal(new[] { "a1x" }, Pool.StarMap((string a, int b, char c) => $"{a}{b}{c}", new[] { ("a", 1, 'x') }));
    }

    [Fact]
    public void Bad_arguments_fail_at_the_call_and_name_what_was_wrong()
    {
        Assert.Throws<ArgumentNullException>(() => Pool.Map((Func<int, int>)null!, new[] { 1 }));
        Assert.Throws<ArgumentNullException>(() => Pool.Map(TestFunctions.Square, (IEnumerable<int>)null!));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Pool.Map(TestFunctions.Square, new[] { 1 }, chunkSize: 0));
        Assert.Equal("chunkSize", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Pool.Imap(TestFunctions.Square, new[] { 1 }, chunkSize: -1));
    }
}
