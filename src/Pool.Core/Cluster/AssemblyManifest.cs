using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;

namespace PoolCluster.Cluster;

/// <summary>One assembly of the client's application, identified by its module version id (the build's identity).</summary>
internal sealed record AssemblyEntry(string Name, string FileName, Guid Mvid, long Size);

/// <summary>
/// The application assemblies a client can ship to worker nodes, so that a stock Pool.Node runs any client's tasks
/// with no deployment step. Content-addressed by MVID: a node fetches each build once and caches it.
/// </summary>
internal sealed record AssemblyManifest(IReadOnlyList<AssemblyEntry> Entries)
{
    private static readonly Lazy<(AssemblyManifest Manifest, Dictionary<Guid, string> Paths)> ThisApp = new(Build);

    /// <summary>This process's application assemblies (not the shared framework).</summary>
    public static AssemblyManifest ForThisApp() => ThisApp.Value.Manifest;

    /// <summary>The file of an assembly this process offered, by MVID.</summary>
    public static string? PathOf(Guid mvid) => ThisApp.Value.Paths.GetValueOrDefault(mvid);

    /// <summary>The MVID of an assembly file, read from its metadata without loading it; null for native files.</summary>
    public static Guid? ReadMvid(string path)
    {
        try
        {
            using var pe = new PEReader(File.OpenRead(path));
            if (!pe.HasMetadata) return null;
            var md = pe.GetMetadataReader();
            return md.GetGuid(md.GetModuleDefinition().Mvid);
        }
        catch (Exception e) when (e is IOException or BadImageFormatException or InvalidOperationException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static (AssemblyManifest, Dictionary<Guid, string>) Build()
    {
        var frameworkDir = RuntimeEnvironment.GetRuntimeDirectory();
        var candidates = ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(AppDomain.CurrentDomain.GetAssemblies().Where(a => !a.IsDynamic).Select(a => a.Location))
            .Where(p => !string.IsNullOrEmpty(p) && !p.StartsWith(frameworkDir, StringComparison.Ordinal) && File.Exists(p))
            .Distinct(StringComparer.Ordinal);
        var entries = new List<AssemblyEntry>();
        var paths = new Dictionary<Guid, string>();
        foreach (var path in candidates)
        {
            if (ReadMvid(path) is not { } mvid || !paths.TryAdd(mvid, path)) continue;
            entries.Add(new AssemblyEntry(Path.GetFileNameWithoutExtension(path), Path.GetFileName(path), mvid, new FileInfo(path).Length));
        }
        return (new AssemblyManifest(entries), paths);
    }
}
