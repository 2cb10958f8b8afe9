using PoolCluster.Worker.ChildProcess;

namespace PoolCluster.WireFormat.Frames;

/// <summary>A frame on a child pipe was malformed (bad length, unknown type, truncated).</summary>
internal sealed class FrameFormatException(string message) : IOException(message);
