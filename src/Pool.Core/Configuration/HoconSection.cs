using Akka.Configuration;

namespace PoolCluster;

/// <summary>
/// Reads the keys of one section of PoolCluster's HOCON (<c>poolcluster.pool</c>...) over the embedded defaults, and
/// only those: there is no C# default. reference.conf sets every key, so a missing one is an error naming the key,
/// never a silent value.
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
        // A key set to null in HOCON reads as null, which Akka's getters would turn into an ArgumentNullException.
        return _config.HasPath(full) && _config.GetString(full) is not null ? full
            : throw new ConfigurationException(
                $"{full} is not set. PoolCluster reads its keys over its reference.conf, which sets every one, so this key " +
                "was removed (set to null) in the application's HOCON, or this Pool.Core's reference.conf lacks it: give " +
                $"{full} a value in HOCON.");
    }
}
