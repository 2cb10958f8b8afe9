using System.Collections.Concurrent;
using PoolCluster.WireFormat.Frames;

namespace PoolCluster.Child;

/// <summary>
/// Inside a child: calls from user code to its worker, as opaque bytes with a call id (the payload means nothing to
/// the pipe; shared-object calls are the only user today). The call blocks the calling thread; the child's reader
/// thread completes it with the answering frame.
/// </summary>
internal sealed class PipeCalls(FrameWriter writer)
{
    private readonly ConcurrentDictionary<long, TaskCompletionSource<byte[]>> _pending = new();
    private long _nextCall;

    /// <summary>Sends <paramref name="request"/> and waits for the answer; null when none came within
    /// <paramref name="timeout"/> plus a margin (the worker itself answers within the timeout).</summary>
    public byte[]? Call(byte[] request, TimeSpan timeout)
    {
        var id = Interlocked.Increment(ref _nextCall);
        var completion = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = completion;
        try
        {
            writer.Write(FrameType.ManagerRequest, id, (int)Math.Min(int.MaxValue, timeout.TotalMilliseconds), request);
            writer.Flush();
            // The margin covers the pipe.
            return completion.Task.Wait(timeout + TimeSpan.FromSeconds(5)) ? completion.Task.Result : null;
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
