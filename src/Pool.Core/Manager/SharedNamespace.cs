using PoolCluster.Manager;

namespace PoolCluster;

/// <summary>Named attributes held by a <see cref="PoolManager"/> (Python's <c>Manager().Namespace()</c>).</summary>
public sealed class SharedNamespace : SharedObject
{
    private SharedNamespace() { } // made by PoolManager through SharedObject.Restore

    /// <summary>Gets (<see cref="KeyNotFoundException"/> when absent) or sets an attribute.</summary>
    public object? this[string attribute]
    {
        get => Call(SharedOp.Get, attribute);
        set => Call(SharedOp.Set, attribute, value);
    }

    /// <summary>The attribute as <typeparamref name="T"/>.</summary>
    public T Get<T>(string attribute) => (T)Call(SharedOp.Get, attribute)!;

    /// <summary>Sets an attribute.</summary>
    public void Set<T>(string attribute, T value) => Call(SharedOp.Set, attribute, value);

    /// <summary>Whether the attribute exists.</summary>
    public bool Contains(string attribute) => (bool)Call(SharedOp.Contains, attribute)!;

    /// <summary>Removes the attribute; false if it did not exist.</summary>
    public bool Remove(string attribute) => (bool)Call(SharedOp.Remove, attribute)!;

    /// <summary>The attribute names now.</summary>
    public IReadOnlyList<string> Names => (string[])Call(SharedOp.Names)!;
}
