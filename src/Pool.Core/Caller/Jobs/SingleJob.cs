using PoolCluster.Router;
using PoolCluster.WireFormat.Values;

namespace PoolCluster.Caller.Jobs;

/// <summary>One item, one result: what Apply and ApplyAsync submit.</summary>
internal sealed class SingleJob<R>(AsyncResult<R> result) : IChunkSink
{
    // A small compact reply decodes in well under a microsecond: done here, it saves the caller a thread hop on every
    // Apply round trip. Anything else (Hyperion, large payloads) is decoded on the thread pool, off the router's thread.
    private const int InlineDecodeLimit = 4096;

    public void OnResult(int chunkIndex, byte[] payload)
    {
        if (payload.Length <= InlineDecodeLimit && FastPayload.IsFast(payload)) Deliver(payload);
        else ThreadPool.UnsafeQueueUserWorkItem(static state => state.Job.Deliver(state.Payload), (Job: this, Payload: payload), preferLocal: false);
    }

    private void Deliver(byte[] payload)
    {
        try
        {
            var reply = Wire.FromBytes<ChunkReply<R>>(payload);
            if (reply.ErrorAt(0) is { } error) result.Fail(error);
            else result.Succeed(reply.Results[0]);
        }
        catch (Exception e)
        {
            result.Fail(e);
        }
    }

    public void OnFailure(int chunkIndex, Exception error) => result.Fail(error);
}
