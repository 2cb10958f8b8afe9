using System.Collections.Concurrent;
using PoolCluster.Protocol;
using PoolCluster.Tasks;

namespace PoolCluster;

/// <summary>
/// Serializes each distinct user function once and gives it an id that children cache: 20,000 ApplyAsync calls of the
/// same function ship its body once per child, not 20,000 times. Failures surface here, at the call site.
/// </summary>
internal sealed class FunctionCatalog(int maxPayloadSize)
{
    private const int MaxEntries = 1024;
    private static int _nextId;
    private readonly ConcurrentDictionary<(Type Body, Delegate Function), FunctionSpec> _specs = new();

    public FunctionSpec Get<T, R>(Delegate userFunction, Func<Func<T, R>> adapt)
    {
        ArgumentNullException.ThrowIfNull(userFunction);
        var key = (typeof(MapBody<T, R>), userFunction);
        if (_specs.TryGetValue(key, out var spec)) return spec;
        Serialization.SignatureCheck.Check<T, R>(userFunction);
        if (_specs.Count >= MaxEntries) _specs.Clear();
        spec = new FunctionSpec(Interlocked.Increment(ref _nextId), FunctionShipping.SerializeBody(userFunction, new MapBody<T, R>(adapt()), maxPayloadSize));
        return _specs.GetOrAdd(key, spec);
    }
}
