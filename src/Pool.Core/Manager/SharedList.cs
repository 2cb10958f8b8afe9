using System.Collections;
using PoolCluster.Manager;

namespace PoolCluster;

/// <summary>
/// A list held by a <see cref="PoolManager"/> (Python's <c>Manager().list()</c>). Every member is one atomic operation;
/// enumeration is a snapshot.
/// </summary>
public sealed class SharedList<T> : SharedObject, IList<T>, IReadOnlyList<T>
{
    private SharedList() { } // made by PoolManager through SharedObject.Restore

    /// <summary>Gets or sets the item at <paramref name="index"/> (<see cref="ArgumentOutOfRangeException"/> outside the list).</summary>
    public T this[int index]
    {
        get => (T)Call(SharedOp.Get, index)!;
        set => Call(SharedOp.Set, index, value);
    }

    /// <summary>The number of items now.</summary>
    public int Count => (int)Call(SharedOp.Count)!;

    /// <inheritdoc />
    public bool IsReadOnly => false;

    /// <inheritdoc />
    public void Add(T item) => Call(SharedOp.Add, item);

    /// <summary>Appends <paramref name="item"/> and returns its index (atomic: no other append can come between).</summary>
    public int Append(T item) => (int)Call(SharedOp.Add, item)!;

    /// <inheritdoc />
    public void Insert(int index, T item) => Call(SharedOp.Insert, index, item);

    /// <inheritdoc />
    public void RemoveAt(int index) => Call(SharedOp.RemoveAt, index);

    /// <inheritdoc />
    public bool Remove(T item) => (bool)Call(SharedOp.Remove, item)!;

    /// <inheritdoc />
    public int IndexOf(T item) => (int)Call(SharedOp.IndexOf, item)!;

    /// <inheritdoc />
    public bool Contains(T item) => (bool)Call(SharedOp.Contains, item)!;

    /// <inheritdoc />
    public void Clear() => Call(SharedOp.Clear);

    /// <inheritdoc />
    public void CopyTo(T[] array, int arrayIndex) => Snapshot().CopyTo(array, arrayIndex);

    /// <summary>Enumerates a snapshot taken in one operation.</summary>
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)Snapshot()).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>All items, read in one operation.</summary>
    public T[] Snapshot() => ((object?[])Call(SharedOp.Items)!).Select(x => (T)x!).ToArray();
}
