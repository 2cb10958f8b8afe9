namespace PoolCluster.Protocol;

/// <summary>
/// Marks the pool's own messages between actors that may live on different nodes; they are bound to
/// <see cref="Serialization.ProtocolSerializer"/>, which deserializes nothing but protocol types.
/// </summary>
public interface IPoolProtocolMessage;
