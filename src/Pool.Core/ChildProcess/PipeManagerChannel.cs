using System.Collections.Concurrent;
using PoolCluster.Manager;
using PoolCluster.Tasks;

namespace PoolCluster.ChildProcess;

/// <summary>
/// Inside a child: shared-object calls from user code travel over the child's pipe to its worker actor, which forwards
/// them to the manager. The call blocks the calling thread; the child's reader thread completes it.
/// </summary>
internal sealed class PipeManagerChannel(FrameWriter writer) : IManagerChannel
{
    private readonly ConcurrentDictionary<long, TaskCompletionSource<byte[]>> _pending = new();
    private long _nextCall;

    public string Holder { get; } = PipeHolder.For(Environment.ProcessId);

    public byte[] Call(ManagerAddress manager, byte[] call, TimeSpan timeout)
    {
        var id = Interlocked.Increment(ref _nextCall);
        var completion = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = completion;
        try
        {
            var envelope = Wire.ToBytes(new ManagerEnvelope(manager, call));
            writer.Write(FrameType.ManagerRequest, id, (int)Math.Min(int.MaxValue, timeout.TotalMilliseconds), envelope);
            writer.Flush();
            // The worker answers within the timeout itself (with an "unavailable" reply); the margin covers the pipe.
            if (!completion.Task.Wait(timeout + TimeSpan.FromSeconds(5)))
                throw new ManagerUnavailableException($"The manager ({manager}) did not answer within {timeout.TotalSeconds:0.#} s");
            return completion.Task.Result;
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>Called on the reader thread for <see cref="FrameType.ManagerResponse"/> frames.</summary>
    public void Complete(long id, byte[] reply)
    {
        if (_pending.TryGetValue(id, out var completion)) completion.TrySetResult(reply);
    }
}
