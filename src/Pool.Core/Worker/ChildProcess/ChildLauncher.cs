using System.Diagnostics;
using System.Runtime.InteropServices;
using PoolCluster.Child;

namespace PoolCluster.Worker.ChildProcess;

/// <summary>
/// Works out how to start a child: the running app's own runtime config and dependency graph, with Pool.Core.dll
/// as the entry assembly. The child therefore resolves every assembly the app can, with no deployment step.
/// </summary>
internal static class ChildLauncher
{
    private static readonly Lazy<(string Host, string[] PrefixArgs)> Command = new(ResolveCommand);

    /// <summary>Environment variable listing assembly files shipped by a client, which the child resolves by name.</summary>
    public const string ShippedAssembliesVariable = "POOLCLUSTER_SHIPPED_ASSEMBLIES";

    public static ProcessStartInfo CreateStartInfo(string pipeName, int maxFrameSize, IReadOnlyList<string> shippedAssemblies, string? boardPath)
    {
        var (host, prefix) = Command.Value;
        var psi = new ProcessStartInfo(host)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            WorkingDirectory = Environment.CurrentDirectory,
        };
        foreach (var a in prefix) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add(ChildHost.ChildArgument);
        psi.ArgumentList.Add(pipeName);
        psi.ArgumentList.Add(maxFrameSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        psi.ArgumentList.Add(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (boardPath is not null) psi.ArgumentList.Add(boardPath);
        // Children are small single-purpose processes: workstation, non-concurrent GC keeps their footprint low.
        psi.Environment["DOTNET_gcServer"] = "0";
        psi.Environment["DOTNET_gcConcurrent"] = "0";
        psi.Environment["DOTNET_TieredPGO"] = "0";
        psi.Environment.Remove("DOTNET_STARTUP_HOOKS");
        psi.Environment.Remove("DOTNET_DiagnosticPorts"); // a parent started under a tracer must not make its children wait for one
        if (shippedAssemblies.Count > 0) psi.Environment[ShippedAssembliesVariable] = string.Join(Path.PathSeparator, shippedAssemblies);
        return psi;
    }

    /// <summary>Null when children can be started here (the child host and the dotnet host are found), else why not.</summary>
    public static string? CanStart()
    {
        try
        {
            var (host, _) = Command.Value;
            return Path.IsPathRooted(host) && !File.Exists(host) ? $"the dotnet host '{host}' is missing" : null;
        }
        catch (Exception e) { return e.Message; }
    }

    private static (string, string[]) ResolveCommand()
    {
        var entry = typeof(ChildHost).Assembly.Location;
        if (string.IsNullOrEmpty(entry))
            throw new PlatformNotSupportedException("PoolCluster needs Pool.Core.dll on disk to start child processes (single-file publishing is not supported).");

        var args = new List<string> { "exec" };
        var deps = AppDependencyFile();
        var runtimeConfig = deps is null ? null : Path.ChangeExtension(Path.ChangeExtension(deps, null), null) + ".runtimeconfig.json";
        if (runtimeConfig is null || !File.Exists(runtimeConfig)) runtimeConfig = WriteFallbackRuntimeConfig();
        args.Add("--runtimeconfig");
        args.Add(runtimeConfig);
        if (deps is not null)
        {
            args.Add("--depsfile");
            args.Add(deps);
        }
        args.Add(entry);
        return (DotnetHost(), args.ToArray());
    }

    /// <summary>The app's deps.json (the first one that is not the shared framework's).</summary>
    private static string? AppDependencyFile()
    {
        var files = (AppContext.GetData("APP_CONTEXT_DEPS_FILES") as string)?.Split(';', StringSplitOptions.RemoveEmptyEntries) ?? [];
        var frameworkDir = RuntimeEnvironment.GetRuntimeDirectory();
        return files.FirstOrDefault(f => File.Exists(f) && !f.StartsWith(frameworkDir, StringComparison.Ordinal));
    }

    private static string WriteFallbackRuntimeConfig()
    {
        var version = Environment.Version;
        var path = Path.Combine(Path.GetTempPath(), $"poolcluster-child-{version}.runtimeconfig.json");
        if (!File.Exists(path))
        {
            var json = "{\"runtimeOptions\":{\"tfm\":\"net" + version.Major + "." + version.Minor +
                       "\",\"framework\":{\"name\":\"Microsoft.NETCore.App\",\"version\":\"" + version + "\"}}}";
            var tmp = path + "." + Environment.ProcessId;
            File.WriteAllText(tmp, json);
            File.Move(tmp, path, overwrite: true);
        }
        return path;
    }

    /// <summary>The dotnet muxer: this process when it is one, else the one that owns the running runtime.</summary>
    private static string DotnetHost()
    {
        var exe = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileName(self) == exe) return self;
        var hostPath = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(hostPath) && File.Exists(hostPath)) return hostPath;
        // <root>/shared/Microsoft.NETCore.App/<version>/ -> <root>/dotnet
        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var candidate = Path.Combine(root, exe);
        return File.Exists(candidate) ? candidate : exe;
    }
}
