using System.Diagnostics;
using PoolCluster.WireFormat.Frames;

namespace PoolCluster.Worker.ChildProcess;

/// <summary>The moments of one child's life, for the bench's stopwatch trail of child recycling.</summary>
internal enum ChildStage
{
    /// <summary>The worker asked for the child (its start queued behind <see cref="ChildStarter"/>).</summary>
    Requested,
    /// <summary><c>Process.Start</c> returned.</summary>
    Launched,
    /// <summary>The child connected its pipe (its runtime is up).</summary>
    Connected,
    /// <summary>The child's Ready frame was read: it takes tasks.</summary>
    Ready,
    /// <summary>The first chunk was handed to the handle (it waits in the outbox if the pipe is not connected yet).</summary>
    TaskSent,
    /// <summary>The first chunk's answer was read from the pipe.</summary>
    Answered,
    /// <summary>The Shutdown frame was handed to the handle.</summary>
    ShutdownSent,
    /// <summary>The pipe reached its end (the child closed it or died).</summary>
    PipeClosed,
    /// <summary>The exit was reported to the worker.</summary>
    ExitReported,
}

/// <summary>
/// Timestamps (<see cref="Stopwatch"/> ticks) of one child's stages, each kept from its first occurrence. Costs a few
/// stores per child; <see cref="Completed"/> (set by the bench) receives each timeline once its child's exit is reported.
/// </summary>
internal sealed class ChildTimeline
{
    private static readonly int StageCount = Enum.GetValues<ChildStage>().Length;
    private readonly long[] _at = new long[StageCount];

    /// <summary>Receives every child's timeline when its exit is reported (null: nobody listens).</summary>
    public static Action<ChildTimeline>? Completed { get; set; }

    /// <summary>Records <paramref name="stage"/> now unless it was recorded before.</summary>
    public void Mark(ChildStage stage)
    {
        // Marked on every chunk sent and answered: after the first, a plain read and no clock or interlocked write.
        ref var at = ref _at[(int)stage];
        if (Volatile.Read(ref at) == 0) Interlocked.CompareExchange(ref at, Stopwatch.GetTimestamp(), 0);
    }

    /// <summary>When <paramref name="stage"/> happened (Stopwatch ticks), or null if it did not.</summary>
    public long? At(ChildStage stage)
    {
        var t = Volatile.Read(ref _at[(int)stage]);
        return t == 0 ? null : t;
    }

    /// <summary>Milliseconds from <paramref name="from"/> to <paramref name="to"/>, or null when either is missing.</summary>
    public double? Millis(ChildStage from, ChildStage to) =>
        At(from) is { } a && At(to) is { } b ? (b - a) * 1000.0 / Stopwatch.Frequency : null;
}
