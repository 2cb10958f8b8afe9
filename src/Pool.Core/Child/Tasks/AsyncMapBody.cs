using PoolCluster.WireFormat.Frames;
using PoolCluster.WireFormat.Functions;
using PoolCluster.WireFormat.Messages;
using PoolCluster.WireFormat.Values;

namespace PoolCluster.Child.Tasks;

/// <summary>
/// The task shape of async functions: <c>Func&lt;T, CancellationToken, Task&lt;R&gt;&gt;</c> applied to each item of a
/// chunk; the child awaits it. With MaxConcurrentTasksPerChild above 1 the items of a chunk (and of other chunks) run
/// at once, up to that many per child; each item has its own token (soft deadline, job cancellation).
/// </summary>
internal sealed class AsyncMapBody<T, R>(Func<T, CancellationToken, Task<R>> function) : IAsyncTaskBody
{
    public Func<T, CancellationToken, Task<R>> Function = function;

    public async Task<byte[]> RunChunkAsync(byte[] payload, ChunkRun chunk)
    {
        var items = Wire.FromBytes<T[]>(payload);
        var reply = new ChunkReply<R> { Results = new R[items.Length] };
        var errors = new ErrorInfo?[items.Length];
        var limiter = TaskContext.AsyncLimiter;
        var running = new List<Task>(limiter is null ? 0 : items.Length);
        var started = 0;
        for (var i = 0; i < items.Length; i++)
        {
            if (limiter is not null) await limiter.WaitAsync().ConfigureAwait(false);
            var item = TaskContext.BeginAsyncItem(chunk, i);
            if (item is null)
            {
                limiter?.Release();
                break;
            }
            started++;
            var run = RunItem(items[i], i, item, reply, errors, limiter);
            if (limiter is null) await run.ConfigureAwait(false); // one at a time, in order
            else running.Add(run);
        }
        await Task.WhenAll(running).ConfigureAwait(false);
        if (started < items.Length) throw MapBody<T, R>.JobCancelled(started, items.Length);
        var failed = Enumerable.Range(0, items.Length).Where(i => errors[i] is not null).ToArray();
        if (failed.Length > 0)
        {
            reply.ErrorIndexes = failed;
            reply.Errors = failed.Select(i => errors[i]!).ToArray();
        }
        return MapBody<T, R>.SerializeReply(reply);
    }

    private async Task RunItem(T value, int index, ItemRun item, ChunkReply<R> reply, ErrorInfo?[] errors, SemaphoreSlim? limiter)
    {
        try
        {
            // Started on this flow, so the item's token (TaskContext.Cancellation) flows into the user's code.
            reply.Results[index] = await Function(value, TaskContext.AsyncItemToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            errors[index] = ErrorInfo.From(e);
        }
        finally
        {
            TaskContext.EndAsyncItem(item);
            limiter?.Release();
        }
    }
}

/// <summary>What a child runs for async functions: awaited, possibly several items at once.</summary>
internal interface IAsyncTaskBody
{
    /// <summary>Deserializes a chunk of items, awaits the function on each, and returns the serialized <see cref="ChunkReply{R}"/>.</summary>
    Task<byte[]> RunChunkAsync(byte[] payload, ChunkRun chunk);
}
