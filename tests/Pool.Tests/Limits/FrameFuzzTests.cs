using System.Buffers.Binary;
using PoolCluster.ChildProcess;

namespace PoolCluster.Tests.Limits;

/// <summary>
/// Deterministic fuzzing of the frame reader that both sides of a child pipe use: whatever bytes arrive, it returns
/// whole frames, a clean end, or a <see cref="FrameFormatException"/> — never another exception, never a hang.
/// </summary>
public sealed class FrameFuzzTests
{
    private const int MaxFrame = 1 << 20;

    private static byte[] ValidStream(Random random, int frames)
    {
        var stream = new MemoryStream();
        var writer = new FrameWriter(stream);
        var types = Enum.GetValues<FrameType>();
        for (var i = 0; i < frames; i++)
        {
            var payload = new byte[random.Next(0, 300)];
            random.NextBytes(payload);
            writer.Write(types[random.Next(types.Length)], random.NextInt64(), random.Next(), payload);
        }
        writer.Flush();
        return stream.ToArray();
    }

    private static (int Frames, bool Rejected) ReadAll(byte[] bytes)
    {
        var reader = new FrameReader(new MemoryStream(bytes), MaxFrame);
        var frames = 0;
        try
        {
            // Each frame consumes at least its header, so this loop is bounded by the input's length.
            while (reader.Read() is not null) frames++;
            return (frames, false);
        }
        catch (FrameFormatException)
        {
            return (frames, true);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Valid_streams_round_trip_exactly(int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < 200; i++)
        {
            var count = random.Next(0, 20);
            Assert.Equal((count, false), ReadAll(ValidStream(random, count)));
        }
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    public void Mutated_streams_give_frames_or_a_format_error_only(int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < 2_000; i++)
        {
            var bytes = ValidStream(random, random.Next(1, 6));
            switch (random.Next(4))
            {
                case 0: bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8)); break;           // bit flip
                case 1: bytes = bytes[..random.Next(bytes.Length)]; break;                                  // truncation
                case 2: BinaryPrimitives.WriteInt32LittleEndian(bytes, random.Next(int.MinValue, int.MaxValue)); break; // bad length
                default: bytes[4] = (byte)random.Next(256); break;                                          // unknown type
            }
            ReadAll(bytes); // must not throw anything but FrameFormatException (caught inside)
        }
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public void Random_garbage_never_escapes_as_another_exception(int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < 3_000; i++)
        {
            var bytes = new byte[random.Next(0, 200)];
            random.NextBytes(bytes);
            ReadAll(bytes);
        }
    }

    [Fact]
    public void Oversized_negative_and_truncated_frames_are_rejected_with_a_reason()
    {
        static byte[] Header(int length, byte type)
        {
            var h = new byte[Frame.HeaderSize];
            BinaryPrimitives.WriteInt32LittleEndian(h, length);
            h[4] = type;
            return h;
        }
        Assert.Contains("exceeds the limit", Assert.Throws<FrameFormatException>(() => new FrameReader(new MemoryStream(Header(MaxFrame + 100, 3)), MaxFrame).Read()).Message);
        Assert.Contains("bad frame length", Assert.Throws<FrameFormatException>(() => new FrameReader(new MemoryStream(Header(-5, 3)), MaxFrame).Read()).Message);
        Assert.Contains("unknown frame type", Assert.Throws<FrameFormatException>(() => new FrameReader(new MemoryStream(Header(13, 99)), MaxFrame).Read()).Message);
        Assert.Contains("truncated frame payload", Assert.Throws<FrameFormatException>(() => new FrameReader(new MemoryStream(Header(100, 3)), MaxFrame).Read()).Message);
        Assert.Contains("truncated frame header", Assert.Throws<FrameFormatException>(() => new FrameReader(new MemoryStream(new byte[5]), MaxFrame).Read()).Message);
    }
}
