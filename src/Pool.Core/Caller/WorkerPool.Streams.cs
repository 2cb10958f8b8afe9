using System.Runtime.CompilerServices;
using PoolCluster.Caller.Jobs;
using PoolCluster.WireFormat.Functions;
using PoolCluster.WireFormat.Values;
using static PoolCluster.Child.Tasks.Adapters;

namespace PoolCluster;

// Imap as async streams: `await foreach (var r in pool.ImapAsync(F, source))`.
public sealed partial class WorkerPool
{
    /// <summary>
    /// Lazy, ordered map as an async stream: input (sync or async) is read only a bounded look-ahead ahead of the
    /// consumer, and each chunk is submitted as soon as it is read, so results arrive while a slow input is still
    /// yielding. <c>WithCancellation</c> and breaking out of <c>await foreach</c> cancel what is queued and running.
    /// </summary>
    public IAsyncEnumerable<R> ImapAsync<T, R>(Func<T, R> f, IAsyncEnumerable<T> items, int chunkSize = 1, IProgress<JobProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        return StreamAsync(Sync<T, R>(f, () => f), items, chunkSize, ordered: true, progress);
    }

    /// <inheritdoc cref="ImapAsync{T,R}(Func{T,R},IAsyncEnumerable{T},int,IProgress{JobProgress})"/>
    public IAsyncEnumerable<R> ImapAsync<T, R>(Func<T, R> f, IEnumerable<T> items, int chunkSize = 1, IProgress<JobProgress>? progress = null) =>
        ImapAsync(f, AsAsync(items), chunkSize, progress);

    /// <inheritdoc cref="ImapAsync{T,R}(Func{T,R},IAsyncEnumerable{T},int,IProgress{JobProgress})"/>
    public IAsyncEnumerable<R> ImapAsync<T, R>(Func<T, Task<R>> f, IAsyncEnumerable<T> items, int chunkSize = 1, IProgress<JobProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        return StreamAsync(Async<T, R>(f, () => new AsyncFunc<T, R>(f).Invoke), items, chunkSize, ordered: true, progress);
    }

    /// <inheritdoc cref="ImapAsync{T,R}(Func{T,R},IAsyncEnumerable{T},int,IProgress{JobProgress})"/>
    public IAsyncEnumerable<R> ImapAsync<T, R>(Func<T, Task<R>> f, IEnumerable<T> items, int chunkSize = 1, IProgress<JobProgress>? progress = null) =>
        ImapAsync(f, AsAsync(items), chunkSize, progress);

    /// <inheritdoc cref="ImapAsync{T,R}(Func{T,R},IAsyncEnumerable{T},int,IProgress{JobProgress})"/>
    public IAsyncEnumerable<R> ImapAsync<T, R>(Func<T, CancellationToken, Task<R>> f, IAsyncEnumerable<T> items, int chunkSize = 1, IProgress<JobProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        return StreamAsync(Async<T, R>(f, () => f), items, chunkSize, ordered: true, progress);
    }

    /// <inheritdoc cref="ImapAsync{T,R}(Func{T,R},IAsyncEnumerable{T},int,IProgress{JobProgress})"/>
    public IAsyncEnumerable<R> ImapAsync<T, R>(Func<T, CancellationToken, Task<R>> f, IEnumerable<T> items, int chunkSize = 1, IProgress<JobProgress>? progress = null) =>
        ImapAsync(f, AsAsync(items), chunkSize, progress);

    /// <summary>Like <see cref="ImapAsync{T,R}(Func{T,R},IAsyncEnumerable{T},int,IProgress{JobProgress})"/>, yielding results in completion order.</summary>
    public IAsyncEnumerable<R> ImapUnorderedAsync<T, R>(Func<T, R> f, IAsyncEnumerable<T> items, int chunkSize = 1, IProgress<JobProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        return StreamAsync(Sync<T, R>(f, () => f), items, chunkSize, ordered: false, progress);
    }

    /// <inheritdoc cref="ImapUnorderedAsync{T,R}(Func{T,R},IAsyncEnumerable{T},int,IProgress{JobProgress})"/>
    public IAsyncEnumerable<R> ImapUnorderedAsync<T, R>(Func<T, R> f, IEnumerable<T> items, int chunkSize = 1, IProgress<JobProgress>? progress = null) =>
        ImapUnorderedAsync(f, AsAsync(items), chunkSize, progress);

    /// <inheritdoc cref="ImapUnorderedAsync{T,R}(Func{T,R},IAsyncEnumerable{T},int,IProgress{JobProgress})"/>
    public IAsyncEnumerable<R> ImapUnorderedAsync<T, R>(Func<T, Task<R>> f, IAsyncEnumerable<T> items, int chunkSize = 1, IProgress<JobProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        return StreamAsync(Async<T, R>(f, () => new AsyncFunc<T, R>(f).Invoke), items, chunkSize, ordered: false, progress);
    }

    /// <inheritdoc cref="ImapUnorderedAsync{T,R}(Func{T,R},IAsyncEnumerable{T},int,IProgress{JobProgress})"/>
    public IAsyncEnumerable<R> ImapUnorderedAsync<T, R>(Func<T, Task<R>> f, IEnumerable<T> items, int chunkSize = 1, IProgress<JobProgress>? progress = null) =>
        ImapUnorderedAsync(f, AsAsync(items), chunkSize, progress);

    /// <inheritdoc cref="ImapUnorderedAsync{T,R}(Func{T,R},IAsyncEnumerable{T},int,IProgress{JobProgress})"/>
    public IAsyncEnumerable<R> ImapUnorderedAsync<T, R>(Func<T, CancellationToken, Task<R>> f, IAsyncEnumerable<T> items, int chunkSize = 1, IProgress<JobProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        return StreamAsync(Async<T, R>(f, () => f), items, chunkSize, ordered: false, progress);
    }

    /// <inheritdoc cref="ImapUnorderedAsync{T,R}(Func{T,R},IAsyncEnumerable{T},int,IProgress{JobProgress})"/>
    public IAsyncEnumerable<R> ImapUnorderedAsync<T, R>(Func<T, CancellationToken, Task<R>> f, IEnumerable<T> items, int chunkSize = 1, IProgress<JobProgress>? progress = null) =>
        ImapUnorderedAsync(f, AsAsync(items), chunkSize, progress);

    private IAsyncEnumerable<R> StreamAsync<T, R>(Shipped<T, R> shipped, IAsyncEnumerable<T> items, int chunkSize, bool ordered, IProgress<JobProgress>? progress)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (chunkSize < 1) throw new ArgumentOutOfRangeException(nameof(chunkSize), chunkSize, "chunkSize must be at least 1");
        EnsureRunning();
        return ReadStream(shipped, items, chunkSize, ordered, progress, default);
    }

    // Nothing is submitted until the consumer starts enumerating (as Imap).
    private async IAsyncEnumerable<R> ReadStream<T, R>(Shipped<T, R> shipped, IAsyncEnumerable<T> items, int chunkSize, bool ordered,
        IProgress<JobProgress>? progress, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        EnsureRunning();
        var stream = OpenStream(shipped, chunkSize, ordered, progress);
        var lookahead = Settings.ImapLookaheadPerProcess * Math.Max(1, Processes);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var room = new SemaphoreSlim(lookahead, lookahead);
        var reader = new AsyncStreamReader<T>(items, chunkSize, room, stream.Submit, stream.Progress);
        var reading = reader.RunAsync(stop.Token);
        var cancelled = Task.Delay(Timeout.Infinite, stop.Token);
        var finished = false;
        try
        {
            for (var taken = 0; ; )
            {
                // Wait for the next result, or for the reader to end (then there may be nothing more to wait for).
                var outcome = await stream.Job.TakeAsync(taken, reading.IsCompleted ? null : reading, cancelled, cancellationToken).ConfigureAwait(false);
                if (outcome is null)
                {
                    if (reading.IsFaulted) await reading.ConfigureAwait(false); // the input threw: so does the stream
                    if (reading.IsCompleted && taken == reader.Submitted) break;
                    continue;
                }
                taken++;
                room.Release();
                if (outcome.Value.Error is { } error) throw error;
                var chunk = Wire.FromBytes<ChunkReply<R>>(outcome.Value.Payload!);
                for (var i = 0; i < chunk.Results.Length; i++)
                {
                    if (chunk.ErrorAt(i) is { } itemError) throw itemError;
                    yield return chunk.Results[i];
                }
                if (reading.IsCompleted && taken == reader.Submitted && !reading.IsFaulted) break;
            }
            finished = true;
        }
        finally
        {
            // Left early (break, an exception, a cancelled token): stop reading and cancel what is queued and running.
            stop.Cancel();
            if (!finished) stream.Cancel();
            try { await reading.ConfigureAwait(false); }
            catch (OperationCanceledException) { }
            catch (Exception) when (!finished) { }
        }
    }

    private static async IAsyncEnumerable<T> AsAsync<T>(IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        foreach (var item in items)
        {
            yield return item;
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }
}
