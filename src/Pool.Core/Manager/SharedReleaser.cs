namespace PoolCluster;

/// <summary>
/// Returned by <c>Acquire</c>: disposing it releases what was acquired, once, on behalf of the thread that acquired it
/// (so a <c>using</c> block works across <c>await</c>).
/// </summary>
public sealed class SharedReleaser : IDisposable
{
    private Action? _release;

    internal SharedReleaser(Action release) => _release = release;

    /// <summary>Releases (only the first call has an effect).</summary>
    public void Dispose() => Interlocked.Exchange(ref _release, null)?.Invoke();
}
