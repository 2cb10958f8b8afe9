using System.Collections.Concurrent;
using PoolCluster.Child.Tasks;
using PoolCluster.WireFormat.Messages;
using PoolCluster.WireFormat.Values;

namespace PoolCluster.WireFormat.Functions;

/// <summary>
/// Serializes each distinct user function once and gives it an id that children cache: 20,000 ApplyAsync calls of the
/// same function ship its body once per child, not 20,000 times. Failures surface here, at the call site.
/// </summary>
internal sealed class FunctionCatalog(int maxPayloadSize)
{
    private const int MaxEntries = 1024;
    private static int _nextId;
    private readonly ConcurrentDictionary<(Type Body, Delegate Function), FunctionSpec> _specs = new();

    /// <summary>A synchronous function, adapted to <c>Func&lt;T, R&gt;</c>.</summary>
    public FunctionSpec Get<T, R>(Delegate userFunction, Func<Func<T, R>> adapt) =>
        Get(userFunction, typeof(MapBody<T, R>), () => new MapBody<T, R>(adapt()), SignatureCheck.Check<T, R>);

    /// <summary>An async function, adapted to <c>Func&lt;T, CancellationToken, Task&lt;R&gt;&gt;</c>; the child awaits it.</summary>
    public FunctionSpec GetAsync<T, R>(Delegate userFunction, Func<Func<T, CancellationToken, Task<R>>> adapt) =>
        Get(userFunction, typeof(AsyncMapBody<T, R>), () => new AsyncMapBody<T, R>(adapt()), SignatureCheck.CheckAsync<T, R>);

    private FunctionSpec Get(Delegate userFunction, Type bodyType, Func<object> makeBody, Action<Delegate> check)
    {
        ArgumentNullException.ThrowIfNull(userFunction);
        var key = (bodyType, userFunction);
        if (_specs.TryGetValue(key, out var spec)) return spec;
        check(userFunction);
        if (_specs.Count >= MaxEntries) _specs.Clear();
        spec = new FunctionSpec(Interlocked.Increment(ref _nextId), FunctionShipping.SerializeBody(userFunction, makeBody(), maxPayloadSize));
        return _specs.GetOrAdd(key, spec);
    }
}
