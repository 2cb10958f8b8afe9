using System.Buffers.Binary;
using PoolCluster.WireFormat.Frames;
using Xunit.Abstractions;

namespace PoolCluster.Tests.Limits;

/// <summary>
/// Seeded fuzzing of the frame reader that both sides of a child pipe use: whatever bytes arrive, in whatever pieces,
/// it returns the frames that were written, a clean end, or a <see cref="FrameFormatException"/> — never another
/// exception, never a hang, and never an allocation larger than the frame limit, whatever length a header claims.
/// A failure names its seed and case: set POOLCLUSTER_FUZZ_SEED to replay the fresh-seed test.
/// </summary>
public sealed class FrameFuzzTests(ITestOutputHelper output)
{
    private const int MaxFrame = 1 << 20;
    // What one read may allocate besides a payload within the limit: the frame, an exception with its message and stack.
    private const long AllocationSlack = 64 * 1024;
    private static readonly TimeSpan ReadBound = TimeSpan.FromSeconds(20);

    /// <summary>A frame as written, and where its bytes are in the stream.</summary>
    private sealed record Sent(Frame Frame, int Offset)
    {
        public int End => Offset + Frame.HeaderSize + Frame.Payload.Length;
    }

    /// <summary>What reading a whole stream gave: the frames, then a clean end (Rejection null) or the format error.</summary>
    private sealed record Outcome(List<Frame> Frames, FrameFormatException? Rejection, long MostAllocatedByOneRead);

    private static (byte[] Bytes, List<Sent> Frames) ValidStream(Random random, int frames)
    {
        var stream = new MemoryStream();
        var writer = new FrameWriter(stream);
        var types = Enum.GetValues<FrameType>();
        var sent = new List<Sent>();
        for (var i = 0; i < frames; i++)
        {
            var payload = new byte[random.Next(0, 300)];
            random.NextBytes(payload);
            var frame = new Frame(types[random.Next(types.Length)], random.NextInt64(), random.Next(), payload);
            writer.Write(frame.Type, frame.Id, frame.Aux, payload);
            writer.Flush();
            sent.Add(new Sent(frame, sent.Count == 0 ? 0 : sent[^1].End));
        }
        return (stream.ToArray(), sent);
    }

    /// <summary>Reads <paramref name="bytes"/> to the end, as a pipe delivers them (pieces of random size), on another
    /// thread so that a reader that hangs fails the test within <see cref="ReadBound"/>.</summary>
    private static Outcome ReadAll(byte[] bytes, Random random, string @case)
    {
        var pieces = new Random(random.Next());
        var read = Task.Run(() =>
        {
            var reader = new FrameReader(new PiecewiseStream(bytes, pieces), MaxFrame);
            var frames = new List<Frame>();
            long most = 0;
            // Each frame consumes at least its header, so this loop is bounded by the input's length.
            while (true)
            {
                var before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    var frame = reader.Read();
                    most = Math.Max(most, GC.GetAllocatedBytesForCurrentThread() - before);
                    if (frame is null) return new Outcome(frames, null, most);
                    frames.Add(frame.Value);
                }
                catch (FrameFormatException e)
                {
                    most = Math.Max(most, GC.GetAllocatedBytesForCurrentThread() - before);
                    return new Outcome(frames, e, most);
                }
            }
        });
        Assert.True(read.Wait(ReadBound), $"{@case}: the reader did not finish {bytes.Length} bytes within {ReadBound}");
        var outcome = read.Result; // any exception but FrameFormatException surfaces here, failing the test
        Assert.True(outcome.MostAllocatedByOneRead <= MaxFrame + AllocationSlack,
            $"{@case}: one read allocated {outcome.MostAllocatedByOneRead} bytes; the frame limit is {MaxFrame}");
        return outcome;
    }

    private static void AssertFrame(Frame expected, Frame actual, string @case)
    {
        Assert.True(expected.Type == actual.Type && expected.Id == actual.Id && expected.Aux == actual.Aux && expected.Payload.AsSpan().SequenceEqual(actual.Payload),
            $"{@case}: read {actual.Type}/{actual.Id}/{actual.Aux} with {actual.Payload.Length} bytes; written {expected.Type}/{expected.Id}/{expected.Aux} with {expected.Payload.Length} bytes");
    }

    /// <summary>The first frames read are exactly the first <paramref name="count"/> written.</summary>
    private static void AssertPrefix(List<Sent> sent, Outcome outcome, int count, string @case)
    {
        Assert.True(outcome.Frames.Count >= count, $"{@case}: {outcome.Frames.Count} frames read before {outcome.Rejection?.Message ?? "the end"}; the first {count} were intact");
        for (var i = 0; i < count; i++) AssertFrame(sent[i].Frame, outcome.Frames[i], $"{@case}, frame {i}");
    }

    private static void AssertRejected(Outcome outcome, string reason, string @case) =>
        Assert.True(outcome.Rejection?.Message.Contains(reason, StringComparison.Ordinal) == true,
            $"{@case}: expected a FrameFormatException about '{reason}', got {outcome.Rejection?.Message ?? "a clean end"} after {outcome.Frames.Count} frames");

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Valid_streams_round_trip_exactly(int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < 200; i++)
        {
            var @case = $"seed {seed}, case {i}";
            var (bytes, sent) = ValidStream(random, random.Next(0, 20));
            var outcome = ReadAll(bytes, random, @case);
            Assert.Null(outcome.Rejection);
            Assert.Equal(sent.Count, outcome.Frames.Count);
            AssertPrefix(sent, outcome, sent.Count, @case);
        }
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    public void Mutated_streams_give_the_intact_frames_then_what_the_damage_allows(int seed) => MutateAndRead(seed, 2_000);

    /// <summary>A new seed every run, printed (and in every failure), so the fuzzing explores beyond the fixed seeds.</summary>
    [Fact]
    public void Mutated_streams_with_a_fresh_seed()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("POOLCLUSTER_FUZZ_SEED"), out var given) ? given : Environment.TickCount;
        output.WriteLine($"seed {seed} (replay with POOLCLUSTER_FUZZ_SEED={seed})");
        MutateAndRead(seed, 2_000);
    }

    private static void MutateAndRead(int seed, int cases)
    {
        var random = new Random(seed);
        for (var i = 0; i < cases; i++)
        {
            var (bytes, sent) = ValidStream(random, random.Next(1, 6));
            switch (random.Next(4))
            {
                case 0: FlipOneBit(bytes, sent, random, $"seed {seed}, case {i} (bit flip)"); break;
                case 1: Truncate(bytes, sent, random, $"seed {seed}, case {i} (truncation)"); break;
                case 2: ClaimAnotherLength(bytes, sent, random, $"seed {seed}, case {i} (length)"); break;
                default: ClaimAnotherType(bytes, sent, random, $"seed {seed}, case {i} (type)"); break;
            }
        }
    }

    private static void FlipOneBit(byte[] bytes, List<Sent> sent, Random random, string @case)
    {
        var at = random.Next(bytes.Length);
        var bit = (byte)(1 << random.Next(8));
        bytes[at] ^= bit;
        var hit = sent.FindIndex(s => at < s.End);
        var within = at - sent[hit].Offset;
        var outcome = ReadAll(bytes, random, $"{@case} at byte {at}");
        AssertPrefix(sent, outcome, hit, @case);
        if (within < 4) return; // a length flip: what follows is garbage, which the other assertions cover
        if (within == 4 && !Enum.IsDefined((FrameType)bytes[at]))
        {
            AssertRejected(outcome, "unknown frame type", @case);
            Assert.Equal(hit, outcome.Frames.Count);
            return;
        }
        // Type, id, aux or payload: the same frames, that one differing in the flipped bit alone.
        Assert.Null(outcome.Rejection);
        Assert.Equal(sent.Count, outcome.Frames.Count);
        var expected = sent[hit].Frame;
        var payload = (byte[])expected.Payload.Clone();
        if (within >= Frame.HeaderSize) payload[within - Frame.HeaderSize] ^= bit;
        expected = within switch
        {
            4 => expected with { Type = (FrameType)bytes[at] },
            < 13 => expected with { Id = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(sent[hit].Offset + 5)) },
            < Frame.HeaderSize => expected with { Aux = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(sent[hit].Offset + 13)) },
            _ => expected with { Payload = payload },
        };
        AssertFrame(expected, outcome.Frames[hit], $"{@case}, the flipped frame");
        for (var i = hit + 1; i < sent.Count; i++) AssertFrame(sent[i].Frame, outcome.Frames[i], $"{@case}, frame {i}");
    }

    private static void Truncate(byte[] bytes, List<Sent> sent, Random random, string @case)
    {
        var length = random.Next(bytes.Length);
        var outcome = ReadAll(bytes[..length], random, $"{@case} to {length} bytes");
        var whole = sent.Count(s => s.End <= length);
        AssertPrefix(sent, outcome, whole, @case);
        Assert.Equal(whole, outcome.Frames.Count);
        if (length == 0 || sent.Any(s => s.End == length)) Assert.Null(outcome.Rejection); // cut between frames: a clean end
        else AssertRejected(outcome, "truncated frame", @case);
    }

    private static void ClaimAnotherLength(byte[] bytes, List<Sent> sent, Random random, string @case)
    {
        // Near the real lengths half the time, anything (negative, beyond the limit, beyond int) the other half.
        var claimed = random.Next(2) == 0 ? random.Next(-20, 2 * bytes.Length) : random.Next(int.MinValue, int.MaxValue);
        BinaryPrimitives.WriteInt32LittleEndian(bytes, claimed);
        var outcome = ReadAll(bytes, random, $"{@case} of {claimed}");
        var payloadLength = (long)claimed - (Frame.HeaderSize - 4);
        if (payloadLength < 0) { AssertRejected(outcome, "bad frame length", @case); Assert.Empty(outcome.Frames); return; }
        if (payloadLength > MaxFrame) { AssertRejected(outcome, "exceeds the limit", @case); Assert.Empty(outcome.Frames); return; }
        if (payloadLength > bytes.Length - Frame.HeaderSize) { AssertRejected(outcome, "truncated frame payload", @case); Assert.Empty(outcome.Frames); return; }
        // The first frame takes the bytes it claims; what follows it may be garbage.
        Assert.NotEmpty(outcome.Frames);
        AssertFrame(sent[0].Frame with { Payload = bytes[Frame.HeaderSize..(Frame.HeaderSize + (int)payloadLength)] }, outcome.Frames[0], @case);
    }

    private static void ClaimAnotherType(byte[] bytes, List<Sent> sent, Random random, string @case)
    {
        var type = (byte)random.Next(256);
        bytes[4] = type;
        var outcome = ReadAll(bytes, random, $"{@case} {type}");
        if (!Enum.IsDefined((FrameType)type))
        {
            AssertRejected(outcome, $"unknown frame type {type}", @case);
            Assert.Empty(outcome.Frames);
            return;
        }
        Assert.Null(outcome.Rejection);
        Assert.Equal(sent.Count, outcome.Frames.Count);
        AssertFrame(sent[0].Frame with { Type = (FrameType)type }, outcome.Frames[0], @case);
        for (var i = 1; i < sent.Count; i++) AssertFrame(sent[i].Frame, outcome.Frames[i], $"{@case}, frame {i}");
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public void Random_garbage_gives_well_formed_frames_covering_every_byte_or_a_format_error(int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < 3_000; i++)
        {
            var @case = $"seed {seed}, case {i}";
            var bytes = new byte[random.Next(0, 200)];
            random.NextBytes(bytes);
            var outcome = ReadAll(bytes, random, @case);
            Assert.All(outcome.Frames, f => Assert.True(Enum.IsDefined(f.Type), $"{@case}: a frame of unknown type {(byte)f.Type} was returned"));
            var consumed = outcome.Frames.Sum(f => Frame.HeaderSize + f.Payload.Length);
            // A clean end comes only where a frame ended: every byte belonged to a frame.
            if (outcome.Rejection is null) Assert.True(consumed == bytes.Length, $"{@case}: clean end after {consumed} of {bytes.Length} bytes");
            else Assert.True(consumed < bytes.Length, $"{@case}: rejected after consuming all {bytes.Length} bytes");
        }
    }

    [Theory]
    [InlineData(MaxFrame + Frame.HeaderSize - 4 + 1)] // a payload one byte over the limit
    [InlineData(int.MaxValue)]
    public void A_header_claiming_more_than_the_limit_is_refused_before_anything_is_allocated_for_it(int claimed)
    {
        var header = Header(claimed, (byte)FrameType.RunChunk);
        var outcome = ReadAll([.. header, .. new byte[100]], new Random(claimed), $"claim of {claimed}");
        AssertRejected(outcome, "exceeds the limit", $"claim of {claimed}");
        Assert.True(outcome.MostAllocatedByOneRead < AllocationSlack,
            $"refusing a claim of {claimed} bytes allocated {outcome.MostAllocatedByOneRead} bytes");
    }

    [Fact]
    public void A_header_claiming_the_limit_with_a_short_payload_allocates_at_most_the_limit()
    {
        var header = Header(MaxFrame + Frame.HeaderSize - 4, (byte)FrameType.RunChunk);
        var outcome = ReadAll([.. header, .. new byte[100]], new Random(1), "claim of the limit");
        AssertRejected(outcome, "truncated frame payload (100 of", "claim of the limit");
        Assert.True(outcome.MostAllocatedByOneRead <= MaxFrame + AllocationSlack,
            $"a claim of the limit allocated {outcome.MostAllocatedByOneRead} bytes; the limit is {MaxFrame}");
    }

    [Fact]
    public void Oversized_negative_and_truncated_frames_are_rejected_with_a_reason()
    {
        Assert.Contains("exceeds the limit", Assert.Throws<FrameFormatException>(() => new FrameReader(new MemoryStream(Header(MaxFrame + 100, 3)), MaxFrame).Read()).Message);
        Assert.Contains("bad frame length", Assert.Throws<FrameFormatException>(() => new FrameReader(new MemoryStream(Header(-5, 3)), MaxFrame).Read()).Message);
        Assert.Contains("unknown frame type", Assert.Throws<FrameFormatException>(() => new FrameReader(new MemoryStream(Header(13, 99)), MaxFrame).Read()).Message);
        Assert.Contains("truncated frame payload", Assert.Throws<FrameFormatException>(() => new FrameReader(new MemoryStream(Header(100, 3)), MaxFrame).Read()).Message);
        Assert.Contains("truncated frame header", Assert.Throws<FrameFormatException>(() => new FrameReader(new MemoryStream(new byte[5]), MaxFrame).Read()).Message);
    }

    private static byte[] Header(int length, byte type)
    {
        var h = new byte[Frame.HeaderSize];
        BinaryPrimitives.WriteInt32LittleEndian(h, length);
        h[4] = type;
        return h;
    }

    /// <summary>Gives its bytes in pieces of random size, as a pipe does, so frames split anywhere.</summary>
    private sealed class PiecewiseStream(byte[] bytes, Random random) : MemoryStream(bytes, writable: false)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Piece(count));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Piece(buffer.Length)]);

        private int Piece(int count) => count == 0 ? 0 : random.Next(4) == 0 ? count : Math.Min(count, random.Next(1, 40));
    }
}
