using System.Diagnostics.CodeAnalysis;
using PoolCluster.Manager;

namespace PoolCluster;

/// <summary>
/// A FIFO queue held by a <see cref="PoolManager"/> (Python's <c>Manager().Queue(maxsize)</c>): producers and consumers
/// in any process or node. <see cref="Get"/> waits while it is empty, <see cref="Put"/> while it is full.
/// </summary>
public sealed class SharedQueue<T> : SharedObject
{
    private SharedQueue() { } // made by PoolManager through SharedObject.Restore

    /// <summary>The number of items now.</summary>
    public int Count => (int)Call(SharedOp.Count)!;

    /// <summary>The capacity; 0 means unbounded.</summary>
    public int MaxSize => (int)Call(SharedOp.MaxSize)!;

    /// <summary>Appends <paramref name="item"/>, waiting up to <paramref name="timeout"/> (null: indefinitely) while the queue is full.</summary>
    /// <exception cref="TimeoutException">The queue was still full at the deadline.</exception>
    public void Put(T item, TimeSpan? timeout = null)
    {
        if (!TryPut(item, timeout ?? Timeout.InfiniteTimeSpan))
            throw new TimeoutException($"The shared queue '{Name}' was still full after {timeout!.Value.TotalSeconds:0.###} s");
    }

    /// <summary>Appends <paramref name="item"/> if there is room within <paramref name="timeout"/> (default: now); false if not.</summary>
    public bool TryPut(T item, TimeSpan timeout = default)
    {
        return WaitFor(SharedOp.Put, timeout == Timeout.InfiniteTimeSpan ? null : timeout, reply => (bool)reply!, holder: null, item);
    }

    /// <summary>Removes and returns the oldest item, waiting up to <paramref name="timeout"/> (null: indefinitely) while the queue is empty.</summary>
    /// <exception cref="TimeoutException">The queue was still empty at the deadline.</exception>
    public T Get(TimeSpan? timeout = null)
    {
        if (TryGet(out var item, timeout ?? Timeout.InfiniteTimeSpan)) return item;
        throw new TimeoutException($"The shared queue '{Name}' was still empty after {timeout!.Value.TotalSeconds:0.###} s");
    }

    /// <summary>Removes the oldest item if there is one now; false when the queue is empty.</summary>
    public bool TryGet([MaybeNullWhen(false)] out T item) => TryGet(out item, TimeSpan.Zero);

    /// <summary>Removes the oldest item if one arrives within <paramref name="timeout"/>; false otherwise.</summary>
    public bool TryGet([MaybeNullWhen(false)] out T item, TimeSpan timeout)
    {
        object?[]? taken = null;
        var ok = WaitFor(SharedOp.Get, timeout == Timeout.InfiniteTimeSpan ? null : timeout, reply => (taken = reply as object?[]) is not null);
        item = ok ? (T)taken![0]! : default;
        return ok;
    }
}
