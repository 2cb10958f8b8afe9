using PoolCluster.WireFormat.Messages;
using PoolCluster.WireFormat.Values;

namespace PoolCluster.Manager;

/// <summary>
/// Where a manager lives, as plain data that a proxy carries into child processes and across nodes:
/// either an actor path (a <c>PoolManager</c> hosted in one process) or the cluster singleton for a role.
/// </summary>
/// <param name="ActorPath">Full actor path of a manager hosted by one process; null for the cluster singleton.</param>
/// <param name="SingletonRole">The role whose oldest member hosts the cluster's manager singleton.</param>
internal sealed record ManagerAddress(string? ActorPath, string? SingletonRole)
{
    public override string ToString() => ActorPath ?? $"cluster manager singleton (role '{SingletonRole}')";
}

/// <summary>One operation on one shared object. Values inside are user types, carried by Hyperion.</summary>
/// <param name="ObjectName">The shared object's name.</param>
/// <param name="Kind">The object's kind (dict, list, queue, ...), checked against what the manager holds.</param>
/// <param name="Operation">The operation, e.g. <see cref="SharedOp.Set"/>, <see cref="SharedOp.Acquire"/>.</param>
/// <param name="Args">Arguments of the operation.</param>
/// <param name="Holder">Who calls: lock ownership and release on death are tracked per holder.</param>
internal sealed record ManagerCall(string ObjectName, string Kind, SharedOp Operation, object?[] Args, string Holder);

/// <summary>The manager's answer: a value or an error.</summary>
internal sealed record ManagerReply(object? Value, ErrorInfo? Error);

/// <summary>A call as it travels from a child over its pipe: the manager to reach, and the serialized <see cref="ManagerCall"/>.</summary>
internal sealed record ManagerEnvelope(ManagerAddress Manager, byte[] Call);

/// <summary>Actor message to a manager: the serialized <see cref="ManagerCall"/>; answered with <see cref="ManagerResult"/>.</summary>
internal sealed record ManagerRequestMessage(byte[] Call, string? WatchWorkerPath) : IPoolProtocolMessage;

/// <summary>Actor message from a manager: the serialized <see cref="ManagerReply"/>.</summary>
internal sealed record ManagerResult(byte[] Reply) : IPoolProtocolMessage;

/// <summary>A worker tells the manager that a holder (a child process) is gone: release what it held.</summary>
internal sealed record HolderGone(string Holder) : IPoolProtocolMessage;
