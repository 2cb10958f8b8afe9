using PoolCluster.Manager;

namespace PoolCluster;

/// <summary>
/// A single value held by a <see cref="PoolManager"/> (Python's <c>Manager().Value</c>). Reading and writing are each
/// atomic, but <c>v.Value = v.Value + 1</c> is two operations: guard read-modify-write with a shared lock, or use
/// <see cref="CompareExchange"/> in a loop.
/// </summary>
public sealed class SharedValue<T> : SharedObject
{
    private SharedValue() { } // made by PoolManager through SharedObject.Restore

    /// <summary>The current value.</summary>
    public T Value
    {
        get => (T)Call(SharedOp.Get)!;
        set => Call(SharedOp.Set, value);
    }

    /// <summary>Sets <paramref name="value"/> and returns the previous value, atomically.</summary>
    public T Exchange(T value) => (T)Call(SharedOp.Exchange, value)!;

    /// <summary>Sets <paramref name="value"/> if the current value equals <paramref name="comparand"/>; returns the value before, atomically.</summary>
    public T CompareExchange(T value, T comparand) => (T)Call(SharedOp.CompareExchange, value, comparand)!;
}
