using PoolCluster.Router;
using PoolCluster.WireFormat.Values;

namespace PoolCluster.Caller.Jobs;

/// <summary>
/// Collects a Map's chunks. Completes once every chunk is in: the whole ordered list, or the first failure by
/// position (no partial result), as Python's map does. Replies are decoded off the router's thread.
/// </summary>
internal sealed class MapJob<R>(int chunkCount, int itemCount, AsyncResult<IReadOnlyList<R>> result, ProgressTracker? progress = null) : IChunkSink
{
    private readonly byte[]?[] _replies = new byte[chunkCount][];
    private readonly Exception?[] _chunkErrors = new Exception?[chunkCount];
    private int _remaining = chunkCount;

    public void OnResult(int chunkIndex, byte[] payload)
    {
        _replies[chunkIndex] = payload;
        Arrived();
    }

    public void OnFailure(int chunkIndex, Exception error)
    {
        _chunkErrors[chunkIndex] = error;
        Arrived();
    }

    private void Arrived()
    {
        if (--_remaining == 0) ThreadPool.UnsafeQueueUserWorkItem(_ => Finish(), null);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void Finish()
    {
        try
        {
            var first = new FirstFailure();
            var values = new R[itemCount];
            var offset = 0;
            int inReplies = 0, failedInReplies = 0;
            for (var c = 0; c < _replies.Length; c++)
            {
                if (_chunkErrors[c] is { } chunkError)
                {
                    // A cancelled job is reported as cancelled, whatever else its chunks did.
                    if (chunkError is OperationCanceledException) { progress?.Stop(); result.Fail(chunkError); return; }
                    first.Offer(c, 0, chunkError);
                    continue;
                }
                var reply = Wire.FromBytes<ChunkReply<R>>(_replies[c]!);
                inReplies += reply.Results.Length;
                failedInReplies += reply.ErrorIndexes?.Length ?? 0;
                if (reply.ErrorIndexes is { Length: > 0 } bad) first.Offer(c, bad.Min(), reply.ErrorAt(bad.Min())!);
                if (first.Error is null)
                {
                    reply.Results.CopyTo(values, offset);
                    offset += reply.Results.Length;
                }
            }
            // The last progress report comes before the result, with exact counts (a failed chunk: its items failed).
            var failed = failedInReplies + (itemCount - inReplies);
            progress?.Complete(itemCount - failed, failed);
            if (first.Error is { } e) result.Fail(e);
            else result.Succeed(values);
        }
        catch (Exception e)
        {
            result.Fail(e);
        }
    }
}
