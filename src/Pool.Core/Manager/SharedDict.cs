using System.Collections;
using System.Diagnostics.CodeAnalysis;
using PoolCluster.Manager;

namespace PoolCluster;

/// <summary>
/// A dictionary held by a <see cref="PoolManager"/> (Python's <c>Manager().dict()</c>). Every member is one atomic
/// operation in the manager; enumeration, <see cref="Keys"/> and <see cref="Values"/> are snapshots.
/// </summary>
public sealed class SharedDict<TKey, TValue> : SharedObject, IDictionary<TKey, TValue>, IReadOnlyDictionary<TKey, TValue>
    where TKey : notnull
{
    private SharedDict() { } // made by PoolManager through SharedObject.Restore

    /// <summary>Gets or sets a value; getting a missing key throws <see cref="KeyNotFoundException"/>.</summary>
    public TValue this[TKey key]
    {
        get => (TValue)Call(SharedOp.Get, key)!;
        set => Call(SharedOp.Set, key, value);
    }

    /// <summary>The number of entries now.</summary>
    public int Count => (int)Call(SharedOp.Count)!;

    /// <inheritdoc />
    public bool IsReadOnly => false;

    /// <summary>A snapshot of the keys.</summary>
    public ICollection<TKey> Keys => Snapshot().Select(p => p.Key).ToList();

    /// <summary>A snapshot of the values.</summary>
    public ICollection<TValue> Values => Snapshot().Select(p => p.Value).ToList();

    IEnumerable<TKey> IReadOnlyDictionary<TKey, TValue>.Keys => Keys;

    IEnumerable<TValue> IReadOnlyDictionary<TKey, TValue>.Values => Values;

    /// <summary>Adds an entry; <see cref="ArgumentException"/> if the key exists (checked atomically in the manager).</summary>
    public void Add(TKey key, TValue value) => Call(SharedOp.Add, key, value);

    /// <inheritdoc />
    public void Add(KeyValuePair<TKey, TValue> item) => Add(item.Key, item.Value);

    /// <summary>Adds <paramref name="value"/> unless the key exists; returns the value now stored (Python's <c>setdefault</c>).</summary>
    public TValue GetOrAdd(TKey key, TValue value) => (TValue)Call(SharedOp.SetDefault, key, value)!;

    /// <inheritdoc />
    public bool ContainsKey(TKey key) => (bool)Call(SharedOp.ContainsKey, key)!;

    /// <inheritdoc />
    public bool Contains(KeyValuePair<TKey, TValue> item) => (bool)Call(SharedOp.ContainsPair, item.Key, item.Value)!;

    /// <inheritdoc />
    public bool Remove(TKey key) => (bool)Call(SharedOp.Remove, key)!;

    /// <inheritdoc />
    public bool Remove(KeyValuePair<TKey, TValue> item) => (bool)Call(SharedOp.RemovePair, item.Key, item.Value)!;

    /// <inheritdoc />
    public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        if (Call(SharedOp.TryGet, key) is object?[] found)
        {
            value = (TValue)found[0]!;
            return true;
        }
        value = default;
        return false;
    }

    /// <inheritdoc />
    public void Clear() => Call(SharedOp.Clear);

    /// <inheritdoc />
    public void CopyTo(KeyValuePair<TKey, TValue>[] array, int arrayIndex) => Snapshot().CopyTo(array, arrayIndex);

    /// <summary>Enumerates a snapshot taken in one operation.</summary>
    public IEnumerator<KeyValuePair<TKey, TValue>> GetEnumerator() => ((IEnumerable<KeyValuePair<TKey, TValue>>)Snapshot()).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>All entries, read in one operation.</summary>
    public KeyValuePair<TKey, TValue>[] Snapshot()
    {
        var both = (object?[])Call(SharedOp.Items)!;
        var keys = (object?[])both[0]!;
        var values = (object?[])both[1]!;
        var result = new KeyValuePair<TKey, TValue>[keys.Length];
        for (var i = 0; i < keys.Length; i++) result[i] = new((TKey)keys[i]!, (TValue)values[i]!);
        return result;
    }
}
