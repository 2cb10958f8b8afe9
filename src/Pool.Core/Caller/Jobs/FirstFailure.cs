namespace PoolCluster.Caller.Jobs;

/// <summary>Remembers the earliest failure of a job by position, so Map raises the first failure as Python does.</summary>
internal sealed class FirstFailure
{
    private long _position = long.MaxValue;

    public Exception? Error { get; private set; }

    public void Offer(int chunkIndex, int itemIndex, Exception error)
    {
        var position = ((long)chunkIndex << 32) | (uint)itemIndex;
        if (position >= _position) return;
        _position = position;
        Error = error;
    }
}
