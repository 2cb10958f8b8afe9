using System.Runtime.Loader;
using PoolCluster.Worker.ChildProcess;

namespace PoolCluster.Child;

/// <summary>
/// In a child on a worker node: resolves the client's assemblies (shipped into the node's cache) by name when the
/// node's own dependency graph does not have them.
/// </summary>
internal static class ShippedAssemblyResolver
{
    public static void Install(string? pathList)
    {
        if (string.IsNullOrEmpty(pathList)) return;
        var byName = pathList.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .GroupBy(p => Path.GetFileNameWithoutExtension(p), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        AssemblyLoadContext.Default.Resolving += (context, name) =>
            name.Name is { } simple && byName.TryGetValue(simple, out var path) ? context.LoadFromAssemblyPath(path) : null;
    }
}
