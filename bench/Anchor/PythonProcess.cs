using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace PoolCluster.Bench.Anchor;

/// <summary>Runs a python3 command with a time limit, streaming its stdout lines.</summary>
public static class PythonProcess
{
    /// <summary>How a python run ended.</summary>
    /// <param name="Status"><c>ok</c>, <c>timeout</c>, <c>skipped: ...</c> or <c>error: ...</c>.</param>
    /// <param name="Stdout">Everything it printed on stdout.</param>
    public sealed record Outcome(string Status, string Stdout);

    /// <summary>Runs <paramref name="python"/> with <paramref name="arguments"/>; kills it (and only it, with its own
    /// children) when it overruns <paramref name="limit"/>.</summary>
    public static Outcome Run(string python, IEnumerable<string> arguments, TimeSpan limit, Action<string>? onLine = null)
    {
        var info = new ProcessStartInfo(python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new Win32Exception("no process");
        }
        catch (Win32Exception e)
        {
            return new Outcome($"skipped: cannot start {python} ({e.Message})", "");
        }
        using (process)
        {
            var stdout = new StringBuilder();
            var stderr = new StringBuilder();
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (stdout) stdout.AppendLine(e.Data);
                onLine?.Invoke(e.Data);
            };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data);
            };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (!process.WaitForExit(limit))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(TimeSpan.FromSeconds(5));
                return new Outcome($"timeout after {limit.TotalSeconds:0} s", stdout.ToString());
            }
            process.WaitForExit(); // drains the redirected streams
            if (process.ExitCode == 0) return new Outcome("ok", stdout.ToString());
            var lastError = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .LastOrDefault() ?? "";
            return new Outcome($"error: exit {process.ExitCode}: {lastError}", stdout.ToString());
        }
    }
}
