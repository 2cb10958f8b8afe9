namespace PoolCluster.Caller.Jobs;

/// <summary>
/// Reads an async input for an ImapAsync job: fills chunks and submits each as soon as it is full (or the input ends),
/// waiting for room in the look-ahead (<paramref name="room"/>, released as the consumer takes chunks) before it reads
/// further. A slow input therefore never holds back results of what was already read.
/// </summary>
internal sealed class AsyncStreamReader<T>(IAsyncEnumerable<T> items, int chunkSize, SemaphoreSlim room,
    Action<int, List<T[]>> submit, ProgressTracker? progress)
{
    private int _submitted;

    /// <summary>Chunks submitted so far (final once <see cref="RunAsync"/> completed).</summary>
    public int Submitted => Volatile.Read(ref _submitted);

    public async Task RunAsync(CancellationToken token)
    {
        // Off the consumer's thread: a synchronous input that blocks must not block the consumer.
        await Task.Yield();
        var items0 = 0;
        var buffer = new List<T>(chunkSize);
        await room.WaitAsync(token).ConfigureAwait(false);
        await foreach (var item in items.WithCancellation(token).ConfigureAwait(false))
        {
            buffer.Add(item);
            if (buffer.Count < chunkSize) continue;
            Submit(buffer);
            items0 += buffer.Count;
            buffer.Clear();
            await room.WaitAsync(token).ConfigureAwait(false);
        }
        if (buffer.Count > 0)
        {
            Submit(buffer);
            items0 += buffer.Count;
        }
        progress?.InputEnded(items0);
    }

    private void Submit(List<T> buffer)
    {
        submit(_submitted, [buffer.ToArray()]);
        Interlocked.Increment(ref _submitted);
    }
}
