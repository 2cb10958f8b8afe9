namespace PoolCluster.WireFormat.Messages;

/// <summary>
/// Marks the pool's own messages between actors that may live on different nodes; they are bound to
/// <see cref="ProtocolSerializer"/>, which deserializes nothing but protocol types.
/// </summary>
public interface IPoolProtocolMessage;
