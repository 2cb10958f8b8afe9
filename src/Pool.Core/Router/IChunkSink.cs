namespace PoolCluster.Router;

/// <summary>
/// The caller-side receiver of one job's chunk outcomes. Called on the router's thread exactly once per chunk;
/// implementations never run user code there (callbacks go to the thread pool).
/// </summary>
internal interface IChunkSink
{
    void OnResult(int chunkIndex, byte[] payload);
    void OnFailure(int chunkIndex, Exception error);
}
