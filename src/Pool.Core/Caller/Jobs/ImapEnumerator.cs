using System.Collections;
using System.Runtime.ExceptionServices;
using PoolCluster.WireFormat.Values;

namespace PoolCluster.Caller.Jobs;

/// <summary>
/// Lazy Imap/ImapUnordered: reads the input only as far as a bounded look-ahead of submitted chunks, so endless
/// inputs work (unlike Python's eager reader). A failed item throws from <see cref="MoveNext"/> at its position;
/// calling <see cref="MoveNext"/> again continues after it.
/// </summary>
internal sealed class ImapEnumerator<T, R> : IEnumerator<R>
{
    private readonly IEnumerator<T> _source;
    private readonly int _chunkSize;
    private readonly int _lookahead;
    private readonly StreamJob _job;
    private readonly Action<int, List<T[]>> _submitChunks;
    private readonly Action _cancel;
    private readonly ProgressTracker? _progress;
    private readonly CancellationToken _token;
    private readonly CancellationTokenRegistration _registration;
    private int _cancelled;
    private int _itemsSubmitted;
    private ChunkReply<R>? _chunk;
    private int _position;
    private int _submitted;
    private int _taken;
    private bool _sourceDone;
    private bool _disposed;

    public ImapEnumerator(IEnumerable<T> items, int chunkSize, int lookahead, StreamJob job, Action<int, List<T[]>> submitChunks, Action cancel,
        ProgressTracker? progress = null, CancellationToken token = default)
    {
        _source = items.GetEnumerator();
        _chunkSize = chunkSize;
        _lookahead = lookahead;
        _job = job;
        _submitChunks = submitChunks;
        _cancel = cancel;
        _progress = progress;
        _token = token;
        // A cancelled token cancels the job now (not at the consumer's next MoveNext) and wakes a blocked consumer.
        if (token.CanBeCanceled)
            _registration = token.UnsafeRegister(static state =>
            {
                var self = (ImapEnumerator<T, R>)state!;
                self.CancelJob();
                self._job.Wake();
            }, this);
    }

    private void CancelJob()
    {
        if (Interlocked.Exchange(ref _cancelled, 1) == 0) _cancel();
    }

    public R Current { get; private set; } = default!;

    object? IEnumerator.Current => Current;

    public bool MoveNext()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _token.ThrowIfCancellationRequested();
        while (true)
        {
            if (_chunk is { } chunk && _position < chunk.Results.Length)
            {
                var i = _position++;
                if (chunk.ErrorAt(i) is { } error) ExceptionDispatchInfo.Capture(error).Throw();
                Current = chunk.Results[i];
                return true;
            }
            _chunk = null;
            Fill();
            if (_taken == _submitted) return false;
            var outcome = _job.Take(_taken, _token);
            _taken++;
            if (outcome.Error is { } chunkError) ExceptionDispatchInfo.Capture(chunkError).Throw();
            _chunk = Wire.FromBytes<ChunkReply<R>>(outcome.Payload!);
            _position = 0;
        }
    }

    private void Fill()
    {
        // Refill once half the look-ahead is used up, in one submission: fewer router messages, and the chunks reach
        // the workers together (they batch into the same pipe writes).
        var inFlight = _submitted - _taken;
        if (_sourceDone || (inFlight > 0 && inFlight > _lookahead / 2)) return;
        var first = _submitted;
        var chunks = new List<T[]>();
        while (!_sourceDone && _submitted - _taken < _lookahead)
        {
            var buffer = new List<T>(_chunkSize);
            while (buffer.Count < _chunkSize && _source.MoveNext()) buffer.Add(_source.Current);
            if (buffer.Count < _chunkSize) _sourceDone = true;
            if (buffer.Count == 0) break;
            chunks.Add(buffer.ToArray());
            _itemsSubmitted += buffer.Count;
            _submitted++;
        }
        if (chunks.Count > 0) _submitChunks(first, chunks);
        if (_sourceDone) _progress?.InputEnded(_itemsSubmitted);
    }

    public void Reset() => throw new NotSupportedException("Imap results cannot be replayed; call Imap again.");

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _registration.Dispose();
        if (_taken < _submitted || !_sourceDone) CancelJob();
        _source.Dispose();
    }
}
