using PoolCluster.WireFormat.Values;

namespace PoolCluster.Manager;

/// <summary>
/// Inside a child: a call travels as one opaque request over the child's pipe (<paramref name="call"/>) to its worker,
/// whose <see cref="ManagerRelay"/> forwards it to the manager and sends the reply back.
/// </summary>
internal sealed class ChildManagerChannel(Func<byte[], TimeSpan, byte[]?> call) : IManagerChannel
{
    public string Holder { get; } = PipeHolder.For(Environment.ProcessId);

    public byte[] Call(ManagerAddress manager, byte[] request, TimeSpan timeout) =>
        call(Wire.ToBytes(new ManagerEnvelope(manager, request)), timeout)
        ?? throw new ManagerUnavailableException($"The manager ({manager}) did not answer within {timeout.TotalSeconds:0.#} s");
}
