using System.Diagnostics;
using System.Runtime.CompilerServices;
using PoolCluster.Tests.Support;

namespace PoolCluster.Tests.Control;

/// <summary>Issue 11: ImapAsync / ImapUnorderedAsync as IAsyncEnumerable, over sync or async input.</summary>
public sealed class AsyncStreamTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("poolcluster-stream-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed class SlowSource
    {
        public volatile bool Exhausted;

        public async IAsyncEnumerable<int> Yield(int count, int delayMs, [EnumeratorCancellation] CancellationToken token = default)
        {
            for (var i = 0; i < count; i++)
            {
                await Task.Delay(delayMs, token);
                yield return i;
            }
            Exhausted = true;
        }
    }

    [Fact]
    public async Task The_first_result_arrives_before_a_slow_async_input_is_exhausted()
    {
        using var pool = new WorkerPool(2);
        pool.Apply(TestFunctions.Pid);
        var source = new SlowSource();
        var clock = Stopwatch.StartNew();
        var results = new List<int>();
        await foreach (var r in pool.ImapAsync(TestFunctions.Square, source.Yield(10, 300)))
        {
            if (results.Count == 0)
            {
                Assert.False(source.Exhausted, "the first result waited for the whole input");
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"first result after {clock.Elapsed.TotalSeconds:0.00} s");
            }
            results.Add(r);
        }
        Assert.True(source.Exhausted);
        Assert.Equal(Enumerable.Range(0, 10).Select(x => x * x), results);
    }

    [Fact]
    public async Task Breaking_out_of_the_loop_cancels_what_is_queued()
    {
        using var pool = new WorkerPool(2);
        var counter = Path.Combine(_dir, "count");
        await foreach (var _ in pool.ImapAsync(ControlFunctions.CountThenSleep(counter, 300), Enumerable.Range(0, 200)))
            break;
        // The next job runs behind what the children still held: once it is back they are done.
        Assert.Equal(20, pool.Map(TestFunctions.Square, Enumerable.Range(0, 20), chunkSize: 1).Count);
        Assert.InRange(ControlFunctions.Count(counter), 1, 10);
    }

    [Fact]
    public async Task WithCancellation_cancels_the_stream()
    {
        using var pool = new WorkerPool(2);
        var counter = Path.Combine(_dir, "count");
        using var cancel = new CancellationTokenSource();
        var seen = 0;
        await Assert.ThrowsAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in pool.ImapUnorderedAsync(ControlFunctions.CountThenSleep(counter, 200), new SlowSource().Yield(100, 1)).WithCancellation(cancel.Token))
                if (++seen == 2) cancel.Cancel();
        });
        Assert.Equal(20, pool.Map(TestFunctions.Square, Enumerable.Range(0, 20), chunkSize: 1).Count);
        Assert.InRange(ControlFunctions.Count(counter), 2, 10);
    }

    [Fact]
    public async Task Async_functions_stream_in_completion_order_from_a_sync_input()
    {
        using var pool = new WorkerPool(new PoolOptions { Processes = 1, MaxConcurrentTasksPerChild = 3 });
        var order = new List<int>();
        await foreach (var r in pool.ImapUnorderedAsync(async (int ms) => { await Task.Delay(ms); return ms; }, [900, 10, 300]))
            order.Add(r);
        Assert.Equal([10, 300, 900], order);
    }
}
