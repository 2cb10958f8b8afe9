namespace PoolCluster.Tests.Control;

/// <summary>Functions for the control tests. Each item that starts appends one byte to a file, so the test counts
/// how many items really ran, across processes and nodes of this machine.</summary>
public static class ControlFunctions
{
    /// <summary>An item that records that it started, then sleeps <paramref name="ms"/> ignoring its token.</summary>
    public static Func<int, int> CountThenSleep(string counter, int ms) => x =>
    {
        File.AppendAllText(counter, ".");
        Thread.Sleep(ms);
        return x;
    };

    /// <summary>Records that it started, then waits up to <paramref name="ms"/> for its token; writes "cancelled" to
    /// <paramref name="marker"/> when the token was cancelled.</summary>
    public static Func<int, CancellationToken, int> WaitForToken(string marker) => (ms, token) =>
    {
        File.WriteAllText(marker, "started");
        var cancelled = token.WaitHandle.WaitOne(ms);
        if (cancelled) File.WriteAllText(marker, "cancelled");
        return Environment.ProcessId;
    };

    /// <summary>Records that it started, then sleeps ignoring its token.</summary>
    public static Func<int, int> StartThenIgnoreToken(string marker) => ms =>
    {
        File.WriteAllText(marker, "started");
        Thread.Sleep(ms);
        return Environment.ProcessId;
    };

    public static int Count(string counter) => File.Exists(counter) ? (int)new FileInfo(counter).Length : 0;

    public static void WaitForFile(string path, string content, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            try { if (File.Exists(path) && File.ReadAllText(path) == content) return; }
            catch (IOException) { }
            Thread.Sleep(20);
        }
        throw new TimeoutException($"{path} did not read '{content}' within {timeout.TotalSeconds} s");
    }

    public static async Task<int> DelayThenReturn(int x)
    {
        await Task.Delay(100);
        return x;
    }

    public static async Task<int> DelayThenPid(int ms, CancellationToken token)
    {
        await Task.Delay(ms, token);
        return Environment.ProcessId;
    }

    public static int FailOnMultiplesOf10(int x) => x % 10 == 0 ? throw new InvalidOperationException($"item {x}") : x;

    public static int SleepMs(int ms) { Thread.Sleep(ms); return ms; }
}

/// <summary>Collects progress reports synchronously, in the order they were made.</summary>
public sealed class ProgressLog : IProgress<JobProgress>
{
    private readonly List<JobProgress> _reports = [];

    public void Report(JobProgress value) { lock (_reports) _reports.Add(value); }

    public IReadOnlyList<JobProgress> Reports { get { lock (_reports) return [.. _reports]; } }
}
