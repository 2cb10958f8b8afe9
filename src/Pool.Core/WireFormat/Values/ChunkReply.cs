using PoolCluster.WireFormat.Functions;
using PoolCluster.WireFormat.Messages;
using PoolCluster.WireFormat.Values;

namespace PoolCluster.WireFormat.Values;

/// <summary>
/// A child's answer for one chunk: a result per item, and the failures by item position. Per-item errors let
/// Imap raise at the failed item's position and go on after it.
/// </summary>
internal sealed class ChunkReply<R> : IChunkErrors
{
    int[]? IChunkErrors.ErrorIndexes => ErrorIndexes;
    ErrorInfo[]? IChunkErrors.Errors => Errors;

    public R[] Results = [];
    public int[]? ErrorIndexes;
    public ErrorInfo[]? Errors;

    public Exception? ErrorAt(int index)
    {
        if (ErrorIndexes is null) return null;
        var pos = Array.IndexOf(ErrorIndexes, index);
        return pos < 0 ? null : Errors![pos].ToException();
    }
}

/// <summary>The per-item failures of a reply, whatever its result type (for the dashboard's job book).</summary>
internal interface IChunkErrors
{
    int[]? ErrorIndexes { get; }
    ErrorInfo[]? Errors { get; }
}
