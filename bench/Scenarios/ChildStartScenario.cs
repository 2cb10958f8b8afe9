using System.Diagnostics;
using System.Text.Json.Nodes;
using PoolCluster.WireFormat.Frames;
using PoolCluster.Worker.ChildProcess;

namespace PoolCluster.Bench.Scenarios;

/// <summary>
/// start (ours; Python forks, it has no such row): one pool child from spawn to Ready (its pipe connected, Init run),
/// exactly as a worker starts one, against <c>dotnet HelloWorld.dll</c> from spawn to its first line, alternated in
/// the same run. Also the CPU time (user + sys from /proc) each had spent by then: on a loaded machine the honest figure.
/// </summary>
public sealed class ChildStartScenario : IScenario
{
    /// <summary>Row of the child's spawn → Ready.</summary>
    public const string ChildRow = "child_start_ready";

    /// <summary>Row of the hello-world floor.</summary>
    public const string HelloRow = "child_start_hello_world";

    /// <inheritdoc />
    public string Key => "start";

    /// <inheritdoc />
    public bool InAnchor => false;

    /// <inheritdoc />
    public void Run(ScenarioContext context)
    {
        var reps = context.Sizes.StartupReps * 2;
        context.Begin(ChildRow, 1);
        var timeout = TimeSpan.FromSeconds(30);
        using (StartChild(timeout)) { } // the first start also pays for disk caches; not counted
        HelloWorld.Median(1, timeout);
        var child = new List<(double Seconds, double CpuMs)>();
        var hello = new List<(double Seconds, double CpuMs)>();
        for (var i = 0; i < reps; i++)
        {
            using (var c = StartChild(timeout)) child.Add((c.Seconds, c.CpuMs));
            using (var h = HelloWorld.Start(timeout)) hello.Add((h.Seconds, h.CpuMilliseconds));
        }
        var helloSeconds = Stats.Median(hello.Select(h => h.Seconds));
        var helloCpu = Stats.Median(hello.Select(h => h.CpuMs));
        var childCpu = Stats.Median(child.Select(c => c.CpuMs));
        context.Record(new BenchRow(ChildRow, 1, 1, Stats.Median(child.Select(c => c.Seconds)))
        {
            Extra = new JsonObject
            {
                ["reps"] = reps,
                ["min_seconds"] = Math.Round(child.Min(c => c.Seconds), 6),
                ["max_seconds"] = Math.Round(child.Max(c => c.Seconds), 6),
                ["hello_world_seconds"] = Math.Round(helloSeconds, 6),
                ["cpu_ms"] = Math.Round(childCpu, 1),
                ["hello_world_cpu_ms"] = Math.Round(helloCpu, 1),
            },
        });
        context.Begin(HelloRow, 1);
        context.Record(new BenchRow(HelloRow, 1, 1, helloSeconds)
        {
            Extra = new JsonObject
            {
                ["reps"] = reps,
                ["min_seconds"] = Math.Round(hello.Min(h => h.Seconds), 6),
                ["max_seconds"] = Math.Round(hello.Max(h => h.Seconds), 6),
                ["cpu_ms"] = Math.Round(helloCpu, 1),
            },
        });
    }

    /// <summary>Starts a child as <c>WorkerActor.Spawn</c> does (default limits, no initializer) and waits for Ready.</summary>
    private static StartedChild StartChild(TimeSpan timeout)
    {
        var listener = new ReadyListener();
        var start = Stopwatch.GetTimestamp();
        var handle = ChildProcessHandle.Start(1, listener, int.MaxValue, timeout, []);
        handle.Send(FrameType.Init, 0, 0, Frame.Empty);
        if (!listener.Ready.Wait(timeout))
        {
            handle.Kill("the bench gave up waiting for Ready");
            handle.Dispose();
            throw new TimeoutException($"a child did not send Ready within {timeout.TotalSeconds:0} s ({listener.Problem ?? "no exit seen"})");
        }
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return new StartedChild(handle, seconds, ProcFs.CpuMilliseconds(handle.Pid));
    }

    private sealed record StartedChild(ChildProcessHandle Handle, double Seconds, double CpuMs) : IDisposable
    {
        public void Dispose()
        {
            Handle.Shutdown();
            if (!Handle.WaitUntilGone(TimeSpan.FromSeconds(10))) Handle.Kill("the bench's child did not exit after Shutdown");
            Handle.Dispose();
        }
    }

    private sealed class ReadyListener : IChildListener
    {
        public ManualResetEventSlim Ready { get; } = new();

        public string? Problem { get; private set; }

        public void OnFrame(ChildProcessHandle child, Frame frame)
        {
            if (frame.Type == FrameType.Ready) Ready.Set();
            else if (frame.Type == FrameType.InitFailed) Problem = "InitFailed";
        }

        public void OnFrames(ChildProcessHandle child, IReadOnlyList<Frame> frames)
        {
            foreach (var f in frames) OnFrame(child, f);
        }

        public void OnOutput(ChildProcessHandle child, string line, bool isError) { }

        public void OnExited(ChildProcessHandle child, ChildExit exit) => Problem = $"exited: {exit}";
    }
}
