using PoolCluster.WireFormat.Frames;

namespace PoolCluster.Worker.ChildProcess;

/// <summary>
/// The child's record of chunks received and not started, so that the parent can take them back (work stealing) while
/// the task loop is busy with an earlier one. The pipe reader answers a revocation at once; the task loop skips a
/// revoked chunk. One lock orders the two, so a chunk either runs or is revoked, never both.
/// </summary>
internal sealed class ChunkRevocations(FrameWriter writer)
{
    private readonly Lock _lock = new();
    private readonly HashSet<long> _waiting = [];
    private readonly HashSet<long> _revoked = [];

    /// <summary>Pipe reader: a chunk arrived.</summary>
    public void Received(long taskId)
    {
        lock (_lock) _waiting.Add(taskId);
    }

    /// <summary>Pipe reader: the parent wants the chunk back. The answer is written under the lock, so it precedes the
    /// result of any chunk the task loop starts after this.</summary>
    public void Revoke(long taskId)
    {
        lock (_lock)
        {
            var revoked = _waiting.Remove(taskId);
            if (revoked) _revoked.Add(taskId);
            writer.Write(FrameType.Revoked, taskId, revoked ? 1 : 0, default);
            writer.Flush();
        }
    }

    /// <summary>Task loop: true when the chunk may run (it was not revoked).</summary>
    public bool Start(long taskId)
    {
        lock (_lock)
        {
            if (_revoked.Remove(taskId)) return false;
            _waiting.Remove(taskId);
            return true;
        }
    }
}
