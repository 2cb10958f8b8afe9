using PoolCluster.Router;

namespace PoolCluster.Jobs;

/// <summary>
/// The mailbox between the router and an Imap consumer: chunk outcomes arrive on the router's thread and are taken
/// by index (ordered) or as they come (unordered) on the consumer's thread.
/// </summary>
internal sealed class StreamJob : IChunkSink
{
    internal readonly record struct Outcome(int ChunkIndex, byte[]? Payload, Exception? Error);

    private readonly object _gate = new();
    private readonly Dictionary<int, Outcome> _byIndex = new();
    private readonly Queue<Outcome> _arrivals = new();
    private readonly bool _ordered;
    private int _waitingFor = -1; // the index the consumer sleeps for (ordered), or 0 (unordered); -1: not waiting

    public StreamJob(bool ordered) => _ordered = ordered;

    public void OnResult(int chunkIndex, byte[] payload) => Add(new Outcome(chunkIndex, payload, null));

    public void OnFailure(int chunkIndex, Exception error) => Add(new Outcome(chunkIndex, null, error));

    private void Add(Outcome outcome)
    {
        lock (_gate)
        {
            if (_ordered) _byIndex[outcome.ChunkIndex] = outcome;
            else _arrivals.Enqueue(outcome);
            // Wake the consumer only for what it waits for: one wake-up per result it can use, not per arrival.
            if (_waitingFor >= 0 && (!_ordered || outcome.ChunkIndex == _waitingFor)) Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Blocks until the chunk at <paramref name="index"/> (ordered) or any chunk (unordered) has an outcome.</summary>
    public Outcome Take(int index)
    {
        lock (_gate)
        {
            while (true)
            {
                if (_ordered && _byIndex.Remove(index, out var o)) return o;
                if (!_ordered && _arrivals.TryDequeue(out var a)) return a;
                _waitingFor = _ordered ? index : 0;
                Monitor.Wait(_gate);
                _waitingFor = -1;
            }
        }
    }
}
