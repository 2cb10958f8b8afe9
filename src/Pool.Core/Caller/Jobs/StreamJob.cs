using PoolCluster.Router;

namespace PoolCluster.Caller.Jobs;

/// <summary>
/// The mailbox between the router and an Imap consumer: chunk outcomes arrive on the router's thread and are taken
/// by index (ordered) or as they come (unordered) on the consumer's thread, blocking (<see cref="Take"/>) or awaiting
/// (<see cref="TakeAsync"/>).
/// </summary>
internal sealed class StreamJob : IChunkSink
{
    internal readonly record struct Outcome(int ChunkIndex, byte[]? Payload, Exception? Error);

    private readonly object _gate = new();
    private readonly Dictionary<int, Outcome> _byIndex = new();
    private readonly Queue<Outcome> _arrivals = new();
    private readonly bool _ordered;
    private int _waitingFor = -1; // the index the consumer sleeps for (ordered), or 0 (unordered); -1: not waiting
    private TaskCompletionSource? _asyncWaiter; // an awaiting consumer, woken by any arrival

    public StreamJob(bool ordered) => _ordered = ordered;

    public void OnResult(int chunkIndex, byte[] payload) => Add(new Outcome(chunkIndex, payload, null));

    public void OnFailure(int chunkIndex, Exception error) => Add(new Outcome(chunkIndex, null, error));

    private void Add(Outcome outcome)
    {
        TaskCompletionSource? wake;
        lock (_gate)
        {
            if (_ordered) _byIndex[outcome.ChunkIndex] = outcome;
            else _arrivals.Enqueue(outcome);
            // Wake the consumer only for what it waits for: one wake-up per result it can use, not per arrival.
            if (_waitingFor >= 0 && (!_ordered || outcome.ChunkIndex == _waitingFor)) Monitor.PulseAll(_gate);
            wake = _asyncWaiter;
            _asyncWaiter = null;
        }
        wake?.TrySetResult();
    }

    /// <summary>Wakes a consumer blocked in <see cref="Take"/> (its token was cancelled).</summary>
    public void Wake()
    {
        lock (_gate) Monitor.PulseAll(_gate);
    }

    private bool TryTakeLocked(int index, out Outcome outcome) =>
        _ordered ? _byIndex.Remove(index, out outcome) : _arrivals.TryDequeue(out outcome);

    /// <summary>Blocks until the chunk at <paramref name="index"/> (ordered) or any chunk (unordered) has an outcome.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="token"/> was cancelled first.</exception>
    public Outcome Take(int index, CancellationToken token = default)
    {
        lock (_gate)
        {
            while (true)
            {
                if (TryTakeLocked(index, out var o)) return o;
                token.ThrowIfCancellationRequested();
                _waitingFor = _ordered ? index : 0;
                Monitor.Wait(_gate);
                _waitingFor = -1;
            }
        }
    }

    /// <summary>Awaits the chunk at <paramref name="index"/> (ordered) or any chunk (unordered), or an
    /// <paramref name="alsoWakeOn"/> task (then null: the caller has something else to do first).</summary>
    /// <param name="cancelled">Completes when <paramref name="token"/> is cancelled: made once per stream, not per call,
    /// so that waiting leaves no registration behind on the caller's token.</param>
    public async Task<Outcome?> TakeAsync(int index, Task? alsoWakeOn, Task cancelled, CancellationToken token)
    {
        while (true)
        {
            Task arrival;
            lock (_gate)
            {
                if (TryTakeLocked(index, out var o)) return o;
                _asyncWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                arrival = _asyncWaiter.Task;
            }
            var woke = alsoWakeOn is null
                ? await Task.WhenAny(arrival, cancelled).ConfigureAwait(false)
                : await Task.WhenAny(arrival, alsoWakeOn, cancelled).ConfigureAwait(false);
            token.ThrowIfCancellationRequested();
            if (woke != arrival) return null;
        }
    }
}
