namespace PoolCluster.Manager.State;

/// <summary>Waiters of one object in arrival order (fair: the longest waiter is served first).</summary>
internal sealed class WaiterQueue
{
    private readonly LinkedList<Waiter> _waiters = new();

    public int Count => _waiters.Count;

    public void Add(Waiter waiter) => _waiters.AddLast(waiter);

    /// <summary>Takes the longest waiter and cancels its timer.</summary>
    public Waiter? TakeFirst(IWaiterHost host)
    {
        if (_waiters.First is not { } first) return null;
        _waiters.RemoveFirst();
        host.Unpark(first.Value);
        return first.Value;
    }

    /// <summary>Removes the expired waiter; null when it was already served.</summary>
    public Waiter? Remove(long id)
    {
        for (var node = _waiters.First; node is not null; node = node.Next)
        {
            if (node.Value.Id != id) continue;
            _waiters.Remove(node);
            return node.Value;
        }
        return null;
    }

    /// <summary>Drops (without answering) every waiter of a holder that is gone.</summary>
    public void RemoveHolder(string gone, IWaiterHost host)
    {
        for (var node = _waiters.First; node is not null;)
        {
            var next = node.Next;
            if (HolderIds.BelongsTo(node.Value.Holder, gone))
            {
                host.Unpark(node.Value);
                _waiters.Remove(node);
            }
            node = next;
        }
    }

    /// <summary>Takes every waiter (cancelling their timers).</summary>
    public List<Waiter> TakeAll(IWaiterHost host)
    {
        var all = _waiters.ToList();
        _waiters.Clear();
        foreach (var w in all) host.Unpark(w);
        return all;
    }
}
