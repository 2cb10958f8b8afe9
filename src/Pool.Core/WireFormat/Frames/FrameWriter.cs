using System.Buffers.Binary;
using PoolCluster.Worker.ChildProcess;

namespace PoolCluster.WireFormat.Frames;

/// <summary>
/// Writes frames into a buffer that is flushed explicitly, so that several frames leave in one pipe write.
/// Each call is atomic: in a child, user threads calling shared objects write beside the task loop.
/// </summary>
internal sealed class FrameWriter(Stream stream)
{
    private readonly Stream _stream = new BufferedStream(stream, 64 * 1024);
    private readonly byte[] _header = new byte[Frame.HeaderSize];

    private readonly Lock _lock = new();

    public void Write(FrameType type, long id, int aux, ReadOnlySpan<byte> payload)
    {
        lock (_lock) WriteUnlocked(type, id, aux, payload);
    }

    private void WriteUnlocked(FrameType type, long id, int aux, ReadOnlySpan<byte> payload)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_header, Frame.HeaderSize - 4 + payload.Length);
        _header[4] = (byte)type;
        BinaryPrimitives.WriteInt64LittleEndian(_header.AsSpan(5), id);
        BinaryPrimitives.WriteInt32LittleEndian(_header.AsSpan(13), aux);
        _stream.Write(_header);
        if (!payload.IsEmpty) _stream.Write(payload);
    }

    public void Flush()
    {
        lock (_lock) _stream.Flush();
    }

    /// <summary>Flushes unless another thread holds the writer for longer than <paramref name="timeout"/> (at process
    /// exit, which must not hang on a writer stuck in a full pipe); pipe errors are ignored.</summary>
    public void TryFlush(TimeSpan timeout)
    {
        if (!_lock.TryEnter(timeout)) return;
        try { _stream.Flush(); }
        catch (Exception) { /* the parent is gone */ }
        finally { _lock.Exit(); }
    }
}
