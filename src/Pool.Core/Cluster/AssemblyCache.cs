using System.Runtime.InteropServices;

namespace PoolCluster.Cluster;

/// <summary>
/// A worker node's store of assemblies shipped by clients, one folder per MVID, so each build is fetched once per node.
/// Assemblies the node itself has with the same MVID are never fetched; a same-named assembly of another build is
/// reported, never swapped in silently.
/// </summary>
internal sealed class AssemblyCache(string root)
{
    private readonly Dictionary<string, string> _own = OwnAssemblies();

    /// <summary>What the node lacks from <paramref name="manifest"/>, and the differing builds it has of the same names.</summary>
    public (IReadOnlyList<AssemblyEntry> Missing, IReadOnlyList<string> Conflicts) Compare(AssemblyManifest manifest)
    {
        var missing = new List<AssemblyEntry>();
        var conflicts = new List<string>();
        foreach (var entry in manifest.Entries)
        {
            if (_own.TryGetValue(entry.Name, out var ownPath))
            {
                if (AssemblyManifest.ReadMvid(ownPath) != entry.Mvid && !InSharedFramework(ownPath)) conflicts.Add(entry.Name);
                continue;
            }
            if (!File.Exists(PathFor(entry))) missing.Add(entry);
        }
        return (missing, conflicts);
    }

    // A node runs on the ASP.NET Core shared framework (its HTTP endpoints), whose Microsoft.Extensions.* builds differ
    // from the NuGet copies a client carries; they match by version by design, so that is no conflict worth a warning.
    private static readonly string SharedFrameworks =
        Path.GetDirectoryName(Path.GetDirectoryName(RuntimeEnvironment.GetRuntimeDirectory().TrimEnd(Path.DirectorySeparatorChar))) ?? "";

    private static bool InSharedFramework(string path) =>
        SharedFrameworks.Length > 0 && path.StartsWith(SharedFrameworks + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>Paths of the cached files for the entries the node does not have itself.</summary>
    public IReadOnlyList<string> PathsFor(AssemblyManifest manifest) =>
        manifest.Entries.Where(e => !_own.ContainsKey(e.Name)).Select(PathFor).Where(File.Exists).ToList();

    public void Store(string fileName, Guid mvid, byte[] bytes)
    {
        var path = Path.Combine(root, mvid.ToString("N"), Path.GetFileName(fileName));
        if (File.Exists(path)) return;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var tmp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllBytes(tmp, bytes);
        if (AssemblyManifest.ReadMvid(tmp) != mvid)
        {
            File.Delete(tmp);
            throw new InvalidDataException($"The shipped file {fileName} is not the build it claims to be ({mvid})");
        }
        File.Move(tmp, path, overwrite: true);
    }

    private string PathFor(AssemblyEntry e) => Path.Combine(root, e.Mvid.ToString("N"), e.FileName);

    private static Dictionary<string, string> OwnAssemblies()
    {
        var own = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var path in ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            own.TryAdd(Path.GetFileNameWithoutExtension(path), path);
        return own;
    }
}
