using System.Collections;
using PoolCluster.Manager;

namespace PoolCluster;

/// <summary>
/// A list held by a <see cref="PoolManager"/> (Python's <c>Manager().list()</c>). Every member is one atomic operation;
/// enumeration is a snapshot.
/// </summary>
public sealed class SharedList<T> : SharedObject, IList<T>, IReadOnlyList<T>
{

    internal SharedList(ManagerAddress manager, string name, TimeSpan callTimeout)
    {
        Init(ProxyState.Of(manager, name, ObjectKinds.List, [], callTimeout));
    }

    /// <summary>Gets or sets the item at <paramref name="index"/> (<see cref="ArgumentOutOfRangeException"/> outside the list).</summary>
    public T this[int index]
    {
        get => (T)Call("get", index)!;
        set => Call("set", index, value);
    }

    /// <summary>The number of items now.</summary>
    public int Count => (int)Call("count")!;

    /// <inheritdoc />
    public bool IsReadOnly => false;

    /// <inheritdoc />
    public void Add(T item) => Call("add", item);

    /// <summary>Appends <paramref name="item"/> and returns its index (atomic: no other append can come between).</summary>
    public int Append(T item) => (int)Call("add", item)!;

    /// <inheritdoc />
    public void Insert(int index, T item) => Call("insert", index, item);

    /// <inheritdoc />
    public void RemoveAt(int index) => Call("removeat", index);

    /// <inheritdoc />
    public bool Remove(T item) => (bool)Call("remove", item)!;

    /// <inheritdoc />
    public int IndexOf(T item) => (int)Call("indexof", item)!;

    /// <inheritdoc />
    public bool Contains(T item) => (bool)Call("contains", item)!;

    /// <inheritdoc />
    public void Clear() => Call("clear");

    /// <inheritdoc />
    public void CopyTo(T[] array, int arrayIndex) => Snapshot().CopyTo(array, arrayIndex);

    /// <summary>Enumerates a snapshot taken in one operation.</summary>
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)Snapshot()).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>All items, read in one operation.</summary>
    public T[] Snapshot() => ((object?[])Call("items")!).Select(x => (T)x!).ToArray();
}
