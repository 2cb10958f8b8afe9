using PoolCluster.WireFormat.Messages;
using PoolCluster.WireFormat.Values;

namespace PoolCluster.Child.Tasks;

/// <summary>
/// The single task shape every pool call reduces to: apply <c>Func&lt;T,R&gt;</c> to each item of a chunk.
/// Apply, StarMap and Action forms are adapted into it in the caller's process (see <see cref="Adapters"/>).
/// </summary>
internal sealed class MapBody<T, R>(Func<T, R> function) : ITaskBody
{
    public Func<T, R> Function = function;

    // Fully optimized at once: a child runs this loop over every item, and a big first chunk would otherwise run it as
    // unoptimized tier-0 code (a child lives for one pool, so tiering rarely pays back).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public byte[] RunChunk(byte[] payload)
    {
        var items = Wire.FromBytes<T[]>(payload);
        var reply = new ChunkReply<R> { Results = new R[items.Length] };
        List<int>? errorIndexes = null;
        List<ErrorInfo>? errors = null;
        for (var i = 0; i < items.Length; i++)
        {
            // Per-item clocks (the status board and the soft deadline); a cancelled job starts no more items.
            if (!TaskContext.BeginItem(i))
            {
                TaskContext.EndItem();
                throw JobCancelled(i, items.Length);
            }
            try
            {
                reply.Results[i] = Function(items[i]);
            }
            catch (Exception e)
            {
                (errorIndexes ??= []).Add(i);
                (errors ??= []).Add(ErrorInfo.From(e));
            }
            finally
            {
                TaskContext.EndItem();
            }
        }
        if (errorIndexes is not null)
        {
            reply.ErrorIndexes = errorIndexes.ToArray();
            reply.Errors = errors!.ToArray();
        }
        return SerializeReply(reply);
    }

    /// <summary>What a chunk whose job was cancelled answers instead of its results (the caller has stopped waiting).</summary>
    internal static OperationCanceledException JobCancelled(int ran, int count) =>
        new($"The job was cancelled; this chunk stopped after {ran} of its {count} items.");

    /// <summary>Serializes the reply; a result that cannot be serialized fails its own item, not the chunk or the child.</summary>
    internal static byte[] SerializeReply(ChunkReply<R> reply)
    {
        try
        {
            return Wire.ToBytes(reply);
        }
        catch (Exception whole)
        {
            var errorIndexes = new List<int>(reply.ErrorIndexes ?? []);
            var errors = new List<ErrorInfo>(reply.Errors ?? []);
            for (var i = 0; i < reply.Results.Length; i++)
            {
                if (errorIndexes.Contains(i)) continue;
                try
                {
                    Wire.ToBytes(reply.Results[i]);
                }
                catch (Exception e)
                {
                    errorIndexes.Add(i);
                    errors.Add(ErrorInfo.From(new TaskSerializationException(
                        $"The result of item {i} ({reply.Results[i]?.GetType().FullName ?? "null"}) could not be serialized to travel back from the child process: {e.Message}",
                        inner: e)));
                    reply.Results[i] = default!;
                }
            }
            if (errorIndexes.Count == (reply.ErrorIndexes?.Length ?? 0))
                throw new TaskSerializationException($"The chunk reply could not be serialized: {whole.Message}", inner: whole);
            reply.ErrorIndexes = errorIndexes.ToArray();
            reply.Errors = errors.ToArray();
            return Wire.ToBytes(reply);
        }
    }
}
