using PoolCluster.Worker.ChildProcess;

namespace PoolCluster.WireFormat.Frames;

/// <summary>One message on a child pipe: a fixed header (type, id, aux) and an opaque payload.</summary>
internal readonly record struct Frame(FrameType Type, long Id, int Aux, byte[] Payload)
{
    /// <summary>Bytes before the payload: length (4), type (1), id (8), aux (4).</summary>
    public const int HeaderSize = 17;

    /// <summary>Shared empty payload, so control frames allocate nothing.</summary>
    public static readonly byte[] Empty = [];
}
