using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace PoolCluster.Bench;

/// <summary>What the run ran on, for the JSON's <c>meta</c> and the chart's subtitle.</summary>
public static class Machine
{
    /// <summary>Logical processors.</summary>
    public static int ProcessorCount => Environment.ProcessorCount;

    /// <summary>The CPU model from <c>/proc/cpuinfo</c>, or the architecture where there is none.</summary>
    public static string CpuModel { get; } = ReadCpuModel();

    /// <summary>The machine as a JSON object.</summary>
    public static JsonObject Describe() => new()
    {
        ["nproc"] = ProcessorCount,
        ["cpu_model"] = CpuModel,
        ["os"] = RuntimeInformation.OSDescription,
        ["runtime"] = RuntimeInformation.FrameworkDescription,
        ["arch"] = RuntimeInformation.ProcessArchitecture.ToString(),
        ["loadavg"] = ReadFirstLine("/proc/loadavg"),
    };

    private static string ReadCpuModel()
    {
        var line = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))
            : null;
        return line?[(line.IndexOf(':') + 1)..].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
    }

    private static string? ReadFirstLine(string path) => File.Exists(path) ? File.ReadLines(path).FirstOrDefault() : null;
}
