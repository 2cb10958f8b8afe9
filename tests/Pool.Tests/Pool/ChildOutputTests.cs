using Akka.Event;
using Akka.TestKit.Xunit2;
using PoolCluster.Tests.Support;

namespace PoolCluster.Tests.Pool;

public sealed class ChildOutputTests() : TestKit("akka.loglevel = INFO")
{
    [Fact]
    public void What_a_child_prints_reaches_the_parents_log_prefixed_with_its_pid_and_the_result_is_intact()
    {
        var probe = CreateTestProbe();
        Sys.EventStream.Subscribe(probe.Ref, typeof(LogEvent));
        using var pool = WorkerPool.Create(Sys, new PoolOptions { Processes = 1 });
        var pid = pool.Apply(TestFunctions.Pid);
        Assert.Equal(5, pool.Apply(TestFunctions.Write, 5));
        // stdout and stderr are read on separate threads: the two lines may arrive in either order, so one fish
        // waits for both (two fishes in a row would throw away the stderr line when it came first).
        bool stdout = false, stderr = false;
        probe.FishForMessage<LogEvent>(e =>
        {
            stdout |= e is Info && e.Message.ToString()!.Contains($"[child {pid}] hello from the child, item 5");
            stderr |= e is Warning && e.Message.ToString()!.Contains($"[child {pid}] and on stderr, item 5");
            return stdout && stderr;
        }, TimeSpan.FromSeconds(10), "the child's stdout line and its stderr line");
    }
}
