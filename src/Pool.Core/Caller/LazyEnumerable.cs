using System.Collections;

namespace PoolCluster;

/// <summary>An enumerable whose enumerator is made on GetEnumerator, so Imap submits nothing until iterated.</summary>
internal sealed class LazyEnumerable<R>(Func<IEnumerator<R>> create) : IEnumerable<R>
{
    public IEnumerator<R> GetEnumerator() => create();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
