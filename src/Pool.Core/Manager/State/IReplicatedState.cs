namespace PoolCluster.Manager.State;

/// <summary>
/// A shared object whose content the cluster manager replicates (dict, list, queue, value, namespace): after every
/// operation that may change it, its whole content is written to a majority of the manager's members before the
/// caller is answered, so a new manager continues from it. Locks, semaphores, events, barriers and registered objects
/// are not replicated: what they hold belongs to members that may be gone with the manager.
/// </summary>
internal interface IReplicatedState
{
    /// <summary>True for operations that only read (no write is needed before answering them).</summary>
    bool Reads(SharedOp operation);

    /// <summary>The content as plain data (user values as they came), for <see cref="ReplicatedObject"/>.</summary>
    object? Snapshot();
}

/// <summary>One replicated object as written: its kind and its <see cref="IReplicatedState.Snapshot"/>.</summary>
internal sealed record ReplicatedObject(string Kind, object? Data)
{
    /// <summary>Rebuilds the state a snapshot was taken of.</summary>
    public SharedState Restore() => Kind switch
    {
        ObjectKinds.Dict => DictState.Restore((object?[][])Data!),
        ObjectKinds.List => ListState.Restore((object?[])Data!),
        ObjectKinds.Queue => QueueState.Restore((QueueSnapshot)Data!),
        ObjectKinds.Value => new ValueState(Data),
        ObjectKinds.Namespace => NamespaceState.Restore((object?[][])Data!),
        _ => throw new InvalidOperationException($"A shared {Kind} is not replicated"),
    };
}

/// <summary>A queue's content: its bound and its items in order.</summary>
internal sealed record QueueSnapshot(int? MaxSize, object?[] Items);
