using PoolCluster.WireFormat.Frames;
using PoolCluster.WireFormat.Values;

namespace PoolCluster.Child.Tasks;

/// <summary>
/// What a child process runs: a user function bound to its item and result types. Shipped once per job
/// (<see cref="FrameType.DefineFunction"/>), then applied to many chunks.
/// </summary>
internal interface ITaskBody
{
    /// <summary>Deserializes a chunk of items, applies the function to each, and returns the serialized <see cref="ChunkReply{R}"/>.</summary>
    byte[] RunChunk(byte[] payload);
}
