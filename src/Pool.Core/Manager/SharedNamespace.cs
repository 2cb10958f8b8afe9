using PoolCluster.Manager;

namespace PoolCluster;

/// <summary>Named attributes held by a <see cref="PoolManager"/> (Python's <c>Manager().Namespace()</c>).</summary>
public sealed class SharedNamespace : SharedObject
{

    internal SharedNamespace(ManagerAddress manager, string name, TimeSpan callTimeout)
    {
        Init(ProxyState.Of(manager, name, ObjectKinds.Namespace, [], callTimeout));
    }

    /// <summary>Gets (<see cref="KeyNotFoundException"/> when absent) or sets an attribute.</summary>
    public object? this[string attribute]
    {
        get => Call("get", attribute);
        set => Call("set", attribute, value);
    }

    /// <summary>The attribute as <typeparamref name="T"/>.</summary>
    public T Get<T>(string attribute) => (T)Call("get", attribute)!;

    /// <summary>Sets an attribute.</summary>
    public void Set<T>(string attribute, T value) => Call("set", attribute, value);

    /// <summary>Whether the attribute exists.</summary>
    public bool Contains(string attribute) => (bool)Call("contains", attribute)!;

    /// <summary>Removes the attribute; false if it did not exist.</summary>
    public bool Remove(string attribute) => (bool)Call("remove", attribute)!;

    /// <summary>The attribute names now.</summary>
    public IReadOnlyList<string> Names => (string[])Call("names")!;
}
