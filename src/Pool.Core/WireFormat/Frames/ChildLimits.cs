using PoolCluster.WireFormat.Values;

namespace PoolCluster.WireFormat.Frames;

/// <summary>The limits a child enforces on what it sends back, packed into the Id of its <see cref="FrameType.Init"/> frame.</summary>
internal static class ChildLimits
{
    public static long Pack(int maxPayloadSize, int maxValueDepth) => ((long)maxPayloadSize << 32) | (uint)maxValueDepth;

    public static (int MaxPayloadSize, int MaxValueDepth) Unpack(long id) =>
        id == 0 ? (int.MaxValue, ValueDepthGuard.DefaultMaxDepth) : ((int)(id >> 32), (int)(uint)id);
}
