using System.Diagnostics;

namespace PoolCluster.Tests.Dashboard;

/// <summary>Debian's <c>chromium</c> in headless mode: the rendered DOM of a page (after its scripts ran) and screenshots.</summary>
internal static class HeadlessChromium
{
    private static readonly string[] Candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

    /// <summary>The browser's path, or null when none is installed.</summary>
    public static string? Path => Candidates.FirstOrDefault(File.Exists);

    /// <summary>The DOM after the page's scripts ran for <paramref name="budgetMs"/> ms of virtual time (its polling included).</summary>
    public static string DumpDom(string url, int budgetMs = 4000) => Run(["--dump-dom", url], budgetMs);

    /// <summary>Writes a PNG of the page at <paramref name="width"/> x <paramref name="height"/>.</summary>
    public static void Screenshot(string url, string file, int width = 1280, int height = 1100, int budgetMs = 4000) =>
        Run([$"--screenshot={file}", $"--window-size={width},{height}", "--hide-scrollbars", url], budgetMs);

    private static string Run(IEnumerable<string> args, int budgetMs)
    {
        var exe = Path ?? throw new InvalidOperationException("chromium is not installed (apt-get install chromium; .ci/run installs it)");
        var profile = Directory.CreateTempSubdirectory("poolcluster-chromium-");
        try
        {
            var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
            foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                         $"--user-data-dir={profile.FullName}", $"--virtual-time-budget={budgetMs}" }.Concat(args))
                psi.ArgumentList.Add(a);
            using var process = Process.Start(psi)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(60_000))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"chromium did not finish within 60 s: {string.Join(' ', psi.ArgumentList)}");
            }
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"chromium exited with {process.ExitCode}: {stderr.Result}");
            return stdout.Result;
        }
        finally
        {
            try { profile.Delete(recursive: true); } catch (IOException) { /* a helper process still closing */ }
        }
    }
}

/// <summary>A test that needs a real browser: skipped, saying why, only where chromium is not installed (CI installs it).</summary>
internal sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (HeadlessChromium.Path is null)
            Skip = "chromium is not installed here: apt-get install chromium (.ci/run installs it, so CI runs this test)";
    }
}
