namespace PoolCluster.Manager;

/// <summary>
/// The data of a shared-object proxy: where the manager is, the object's name and kind, how to re-create it. Each
/// proxy travels as this data (see <see cref="SharedObjectSurrogate"/>).
/// </summary>
internal sealed class ProxyState
{
    public ManagerAddress Manager { get; set; } = null!;
    public string Name { get; set; } = null!;
    public string Kind { get; set; } = null!;
    public object?[] CreateArgs { get; set; } = [];
    public TimeSpan CallTimeout { get; set; }

    public static ProxyState Of(ManagerAddress manager, string name, string kind, object?[] createArgs, TimeSpan callTimeout) =>
        new() { Manager = manager, Name = name, Kind = kind, CreateArgs = createArgs, CallTimeout = callTimeout };
}
