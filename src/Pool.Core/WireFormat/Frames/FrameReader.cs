using System.Buffers.Binary;
using PoolCluster.Worker.ChildProcess;

namespace PoolCluster.WireFormat.Frames;

/// <summary>
/// Reads frames from a pipe. Owned by exactly one reader thread. Returns null at a clean end of stream
/// (the other side closed the pipe between frames); throws <see cref="FrameFormatException"/> on anything malformed.
/// </summary>
internal sealed class FrameReader(Stream stream, int maxFrameSize)
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly byte[] _header = new byte[Frame.HeaderSize];
    private int _position, _length; // unread bytes are _buffer[_position.._length)

    /// <summary>Whether the next frame is already wholly buffered, so <see cref="Read"/> returns it without touching the
    /// pipe: lets a reader hand over every frame that arrived in one pipe read together.</summary>
    public bool HasBufferedFrame
    {
        get
        {
            var available = _length - _position;
            if (available < Frame.HeaderSize) return false;
            var length = BinaryPrimitives.ReadInt32LittleEndian(_buffer.AsSpan(_position));
            return length >= 0 && available - 4 >= length;
        }
    }

    public Frame? Read()
    {
        var got = ReadFully(_header, 0, Frame.HeaderSize);
        if (got == 0) return null;
        if (got < Frame.HeaderSize) throw new FrameFormatException($"truncated frame header ({got} of {Frame.HeaderSize} bytes)");

        var length = BinaryPrimitives.ReadInt32LittleEndian(_header);
        var type = (FrameType)_header[4];
        if (!Enum.IsDefined(type)) throw new FrameFormatException($"unknown frame type {(byte)type}");
        var payloadLength = length - (Frame.HeaderSize - 4);
        if (payloadLength < 0) throw new FrameFormatException($"bad frame length {length}");
        if (payloadLength > maxFrameSize)
            throw new FrameFormatException($"frame of {payloadLength} bytes exceeds the limit of {maxFrameSize} bytes (poolcluster.pool.max-frame-size)");

        var id = BinaryPrimitives.ReadInt64LittleEndian(_header.AsSpan(5));
        var aux = BinaryPrimitives.ReadInt32LittleEndian(_header.AsSpan(13));
        var payload = payloadLength == 0 ? Frame.Empty : new byte[payloadLength];
        if (payloadLength > 0)
        {
            var read = ReadFully(payload, 0, payloadLength);
            if (read < payloadLength) throw new FrameFormatException($"truncated frame payload ({read} of {payloadLength} bytes)");
        }
        return new Frame(type, id, aux, payload);
    }

    private int ReadFully(byte[] destination, int offset, int count)
    {
        var total = 0;
        while (total < count)
        {
            if (_position < _length)
            {
                var n = Math.Min(_length - _position, count - total);
                _buffer.AsSpan(_position, n).CopyTo(destination.AsSpan(offset + total));
                _position += n;
                total += n;
                continue;
            }
            if (count - total >= _buffer.Length)
            {
                // A large payload goes straight from the pipe into its array, without passing through the buffer.
                var n = stream.Read(destination, offset + total, count - total);
                if (n == 0) break;
                total += n;
                continue;
            }
            _position = 0;
            _length = stream.Read(_buffer, 0, _buffer.Length);
            if (_length == 0) break;
        }
        return total;
    }
}
