using System.Reflection;
using PoolCluster.WireFormat.Values;

namespace PoolCluster.WireFormat.Functions;

/// <summary>
/// Finds, in this process, the exact module a shipped function was compiled into: same assembly name and same
/// module version id (MVID). The MVID changes on every compilation, so a match means "the same build".
/// </summary>
internal static class FunctionAssemblies
{
    /// <summary>Returns the module with <paramref name="moduleVersionId"/>, loading the assembly when needed.</summary>
    /// <exception cref="FunctionResolutionException">The assembly cannot be found, or this process has a different build of it.</exception>
    public static Module FindModule(string assemblyName, Guid moduleVersionId, string? locationHint)
    {
        var loaded = FindLoaded(assemblyName, moduleVersionId);
        if (loaded is not null)
            return loaded;

        var assembly = Load(assemblyName, locationHint);
        foreach (var module in assembly.GetModules())
        {
            if (module.ModuleVersionId == moduleVersionId)
                return module;
        }

        throw new FunctionResolutionException(
            $"This process has a different build of assembly '{assemblyName}' than the caller (module version ids " +
            $"{moduleVersionId} in the caller vs {assembly.ManifestModule.ModuleVersionId} here, loaded from " +
            $"'{Describe(assembly)}'). Children must run the same build of the code that defines the function: " +
            "rebuild and redeploy so that caller and worker nodes use identical assemblies.",
            assemblyName);
    }

    // Several load contexts may hold an assembly of the same name; the MVID picks the right one.
    private static Module? FindLoaded(string assemblyName, Guid moduleVersionId)
    {
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (assembly.IsDynamic || !string.Equals(assembly.FullName, assemblyName, StringComparison.Ordinal))
                continue;
            foreach (var module in assembly.GetModules())
            {
                if (module.ModuleVersionId == moduleVersionId)
                    return module;
            }
        }
        return null;
    }

    private static Assembly Load(string assemblyName, string? locationHint)
    {
        try
        {
            return Assembly.Load(new AssemblyName(assemblyName));
        }
        catch (Exception byName) when (byName is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            // The child runs with the caller's deps.json, so by-name loading normally works; the caller's path is the
            // fallback for assemblies the caller loaded from elsewhere (plugins, test runners).
            if (!string.IsNullOrEmpty(locationHint) && File.Exists(locationHint))
            {
                try
                {
                    return Assembly.LoadFrom(locationHint);
                }
                catch (Exception byPath)
                {
                    throw new FunctionResolutionException(
                        $"Cannot load assembly '{assemblyName}' that defines the function, neither by name ({byName.Message}) " +
                        $"nor from '{locationHint}' ({byPath.Message}).", assemblyName, byPath);
                }
            }
            throw new FunctionResolutionException(
                $"Cannot load assembly '{assemblyName}' that defines the function ({byName.Message}); " +
                $"the caller loaded it from '{locationHint}', which does not exist here. Deploy the same assemblies to every worker.",
                assemblyName, byName);
        }
    }

    private static string Describe(Assembly assembly) =>
        string.IsNullOrEmpty(assembly.Location) ? "(no file location)" : assembly.Location;
}
