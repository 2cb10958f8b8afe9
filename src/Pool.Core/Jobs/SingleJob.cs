using PoolCluster.Router;
using PoolCluster.Tasks;

namespace PoolCluster.Jobs;

/// <summary>One item, one result: what Apply and ApplyAsync submit.</summary>
internal sealed class SingleJob<R>(AsyncResult<R> result) : IChunkSink
{
    public void OnResult(int chunkIndex, byte[] payload) =>
        ThreadPool.UnsafeQueueUserWorkItem(_ =>
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
        }, null);

    public void OnFailure(int chunkIndex, Exception error) => result.Fail(error);
}
