using Akka.Configuration;

namespace PoolCluster;

/// <summary>
/// Reads the keys of one section of PoolCluster's HOCON (<c>poolcluster.pool</c>...) over the embedded defaults, and
/// only those: there is no C# default. reference.conf sets every key, so a missing one means a configuration replaced
/// the defaults instead of falling back to them; that is an error naming the key, never a silent value.
/// </summary>
internal sealed class HoconSection
{
    private readonly Config _config;

    private HoconSection(Config config, string path)
    {
        _config = config;
        Path = path;
    }

    /// <summary>The section's path, such as <c>poolcluster.pool</c>.</summary>
    public string Path { get; }

    /// <summary>The section at <paramref name="path"/> of <paramref name="config"/> (null: none) over reference.conf.</summary>
    public static HoconSection Of(Config? config, string path) => new(config.WithPoolDefaults(), path);

    public int Int(string key) => _config.GetInt(Require(key));

    public bool Bool(string key) => _config.GetBoolean(Require(key));

    public string String(string key) => _config.GetString(Require(key));

    public TimeSpan Duration(string key, bool allowInfinite = true) => _config.GetTimeSpan(Require(key), allowInfinite: allowInfinite);

    /// <summary>A duration, or null for <c>off</c> (or empty).</summary>
    public TimeSpan? OptionalDuration(string key) => IsOff(key) ? null : Duration(key);

    /// <summary>A size such as <c>64MiB</c>, in bytes.</summary>
    public long Bytes(string key) =>
        _config.GetByteSize(Require(key)) ?? throw new ConfigurationException($"{Path}.{key} must be a size such as 64MiB");

    /// <summary>A size in bytes, or null for <c>off</c> (or empty).</summary>
    public long? OptionalBytes(string key) => IsOff(key) ? null : Bytes(key);

    private bool IsOff(string key) => _config.GetString(Require(key)) is "off" or "";

    private string Require(string key)
    {
        var full = $"{Path}.{key}";
        return _config.HasPath(full) ? full
            : throw new ConfigurationException(
                $"{full} is not set. PoolCluster's reference.conf sets every key; a configuration that lost it was built " +
                "without PoolCluster's defaults underneath: add them with config.WithPoolDefaults() (PoolClusterConfig), " +
                "or set the key yourself.");
    }
}
