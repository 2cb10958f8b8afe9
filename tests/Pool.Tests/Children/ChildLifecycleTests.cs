using System.Collections.Concurrent;
using PoolCluster.Child.Tasks;
using PoolCluster.Tests.Support;
using PoolCluster.WireFormat.Frames;
using PoolCluster.WireFormat.Functions;
using PoolCluster.WireFormat.Messages;
using PoolCluster.WireFormat.Values;
using PoolCluster.Worker;
using PoolCluster.Worker.ChildProcess;

namespace PoolCluster.Tests.Children;

/// <summary>
/// <see cref="ChildLifecycle"/> driven from the test thread, with real child processes and no actor system: the
/// driver hands what the children report to the lifecycle on one thread, as the worker actor does.
/// </summary>
public sealed class ChildLifecycleTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static readonly FunctionSpec SleepThenPid =
        new(9101, FunctionShipCheck.SerializeFunctionBody(new MapBody<int, int>(TestFunctions.SleepThenPid)));

    private static readonly FunctionSpec Leak =
        new(9102, FunctionShipCheck.SerializeFunctionBody(new MapBody<int, int>(LimitFunctions.Leak)));

    private static TaskChunk Chunk(long id, FunctionSpec function, params int[] items) =>
        new(id, function, Wire.ToBytes(items), $"chunk {id}") { FirstItem = (int)id * 100 };

    private static int[] Results(byte[] payload) => Wire.FromBytes<ChunkReply<int>>(payload).Results;

    private static WorkerSettings Settings(int maxTasksPerChild = 0, TimeSpan? taskTimeout = null, long? maxMemory = null, int depth = 1) =>
        WorkerSettings.From(PoolSettings.Default.WithMaxTasksPerChild(maxTasksPerChild), []) with
        {
            ChunksInFlight = depth,
            MaxChunksInFlight = depth,
            TaskTimeout = taskTimeout,
            MaxMemoryPerChild = maxMemory,
        };

    [Fact]
    public void Runs_pipelined_chunks_in_order_in_one_child()
    {
        using var driver = new Driver(Settings(depth: 3));
        driver.Add(Chunk(1, SleepThenPid, 50), Chunk(2, SleepThenPid, 0), Chunk(3, SleepThenPid, 0), Chunk(4, SleepThenPid, 0));
        driver.RunUntil(() => driver.Answered.Count == 4);

        Assert.Equal(new long[] { 1, 2, 3, 4 }, driver.Answered.Select(a => a.Chunk.TaskId));
        Assert.Single(driver.Answered.Select(a => Results(a.Frame.Payload)[0]).Distinct());
        Assert.Empty(driver.Losses);
    }

    [Fact]
    public void MaxTasksPerChild_recycles_the_child_and_its_standby_takes_over()
    {
        using var driver = new Driver(Settings(maxTasksPerChild: 2));
        for (var i = 1; i <= 5; i++) driver.Add(Chunk(i, SleepThenPid, 0));
        driver.RunUntil(() => driver.Answered.Count == 5);

        var pids = driver.Answered.Select(a => Results(a.Frame.Payload)[0]).ToArray();
        Assert.Equal(pids[0], pids[1]);
        Assert.Equal(pids[2], pids[3]);
        Assert.Equal(3, pids.Distinct().Count());
        // Retired children exit on their own; their exits are not losses that blame anything.
        driver.RunUntil(() => driver.Losses.Count >= 2);
        Assert.All(driver.Losses, l => Assert.Null(l.Report));
    }

    [Fact]
    public void An_item_past_its_deadline_fails_with_a_timeout_naming_it_and_the_chunk_behind_runs_in_the_successor()
    {
        using var driver = new Driver(Settings(taskTimeout: TimeSpan.FromMilliseconds(800), depth: 2));
        driver.Add(Chunk(1, SleepThenPid, 0, 30_000), Chunk(2, SleepThenPid, 0));
        driver.RunUntil(() => driver.Answered.Count == 1 && driver.Losses.Count == 1);

        var failed = Assert.IsType<ChunkFailed>(driver.Losses[0].Report);
        Assert.Equal(1, failed.TaskId);
        Assert.IsType<TaskTimeoutException>(failed.Error.ToException());
        Assert.Contains("item 101 of chunk 1", failed.Error.Message);
        Assert.Equal(2, driver.Answered[0].Chunk.TaskId);
        Assert.NotEqual(driver.Losses[0].Pid, Results(driver.Answered[0].Frame.Payload)[0]);
    }

    [Fact]
    public void A_child_killed_from_outside_blames_the_chunk_it_ran_and_the_rest_runs_again()
    {
        using var driver = new Driver(Settings(depth: 3));
        driver.Add(Chunk(1, SleepThenPid, 0), Chunk(2, SleepThenPid, 30_000), Chunk(3, SleepThenPid, 0));
        driver.RunUntil(() => driver.Answered.Count == 1);
        var pid = Results(driver.Answered[0].Frame.Payload)[0];
        Assert.True(pid > 0);
        driver.RunUntil(() => driver.Children.Current?.Handle.Board?.Read() is { State: ChildActivity.Running, TaskId: 2 });
        ProcessProbe.KillHard(pid);
        driver.RunUntil(() => driver.Answered.Count == 2);

        var lost = Assert.IsType<ChunkLost>(Assert.Single(driver.Losses).Report);
        Assert.Equal(2, lost.TaskId);
        Assert.Equal(9, lost.Signal);
        Assert.Contains("item 200 of chunk 2", lost.Reason);
        Assert.Equal(3, driver.Answered[1].Chunk.TaskId);
        Assert.NotEqual(pid, Results(driver.Answered[1].Frame.Payload)[0]);
    }

    [Fact]
    public void KillChildRunning_kills_the_child_holding_that_chunk_and_its_exit_blames_it()
    {
        using var driver = new Driver(Settings(depth: 2));
        driver.Add(Chunk(1, SleepThenPid, 30_000), Chunk(2, SleepThenPid, 0));
        driver.RunUntil(() => driver.Children.Current?.Handle.Board?.Read() is { State: ChildActivity.Running, TaskId: 1 });

        Assert.False(driver.Children.KillChildRunning(99, "no such chunk"));
        Assert.True(driver.Children.KillChildRunning(1, "cancelled by the test"));
        driver.RunUntil(() => driver.Answered.Count == 1);

        Assert.Equal(1, Assert.IsType<ChunkLost>(Assert.Single(driver.Losses).Report).TaskId);
        Assert.Equal(2, driver.Answered[0].Chunk.TaskId);
    }

    [Fact]
    public void A_child_over_MaxMemoryPerChild_is_replaced_after_its_chunk()
    {
        using var driver = new Driver(Settings(maxMemory: 150L * 1024 * 1024));
        driver.Add(Chunk(1, Leak, 200), Chunk(2, Leak, 1));
        driver.RunUntil(() => driver.Answered.Count == 2);

        Assert.NotEqual(Results(driver.Answered[0].Frame.Payload)[0], Results(driver.Answered[1].Frame.Payload)[0]);
    }

    [Fact]
    public void Unstarted_chunks_are_taken_back_from_the_child_and_the_running_one_stays()
    {
        using var driver = new Driver(Settings(depth: 4));
        driver.Add(Chunk(1, SleepThenPid, 1_500), Chunk(2, SleepThenPid, 0), Chunk(3, SleepThenPid, 0), Chunk(4, SleepThenPid, 0));
        driver.RunUntil(() => driver.Children.Current?.Handle.Board?.Read() is { State: ChildActivity.Running, TaskId: 1 });

        Assert.Null(driver.Children.TakeBackUnstarted(2)); // queued in the child: its answers are awaited
        driver.RunUntil(() => driver.Returned is not null);
        Assert.Equal(new long[] { 3, 4 }, driver.Returned!.Order());
        driver.RunUntil(() => driver.Answered.Count == 2);
        Assert.Equal(new long[] { 1, 2 }, driver.Answered.Select(a => a.Chunk.TaskId));
    }

    /// <summary>Plays the worker actor: the children's reports and deadline timers become events handled on the test thread.</summary>
    private sealed class Driver : IChildListener, IDeadlineTimer, IDisposable
    {
        private sealed record Frames(ChildProcessHandle Child, IReadOnlyList<Frame> List);
        private sealed record Exited(ChildProcessHandle Child, ChildExit Exit);
        private sealed record Deadline(ChildProcessHandle Child);

        private readonly BlockingCollection<object> _events = new();
        private readonly Dictionary<int, Timer> _timers = new();
        private readonly int _depth;

        public Driver(WorkerSettings settings)
        {
            _depth = settings.ChunksInFlight;
            Children = new ChildLifecycle(settings, this, this);
            Children.Start();
        }

        public ChildLifecycle Children { get; }
        public List<(TaskChunk Chunk, Frame Frame)> Answered { get; } = [];
        public List<ChildLoss> Losses { get; } = [];
        public IReadOnlyList<long>? Returned { get; private set; }

        public void Add(params TaskChunk[] chunks)
        {
            Children.Enqueue(chunks);
            Children.Feed(_depth);
        }

        /// <summary>Handles events until <paramref name="done"/> holds; fails the test after <see cref="Patience"/>.</summary>
        public void RunUntil(Func<bool> done)
        {
            var deadline = DateTime.UtcNow + Patience;
            while (!done())
            {
                var left = deadline - DateTime.UtcNow;
                Assert.True(left > TimeSpan.Zero, "the children did not get there in time");
                if (_events.TryTake(out var e, TimeSpan.FromMilliseconds(Math.Min(100, left.TotalMilliseconds)))) Handle(e);
            }
        }

        private void Handle(object e)
        {
            switch (e)
            {
                case Frames f:
                    foreach (var frame in f.List)
                    {
                        if (Children.Find(f.Child) is not { } slot) return;
                        if (frame.Type == FrameType.Ready) Children.OnReady(slot);
                        else if (frame.Type is FrameType.ChunkResult or FrameType.ChunkFailed && Children.OnAnswered(slot, frame.Id) is { } chunk)
                            Answered.Add((chunk, frame));
                        else if (frame.Type == FrameType.Revoked && Children.OnRevoked(slot, frame.Id, frame.Aux == 1) is { } returned)
                            Returned = returned;
                    }
                    Children.Feed(_depth);
                    break;
                case Exited x when Children.OnExited(x.Child, x.Exit) is { } loss:
                    Losses.Add(loss);
                    Assert.True(Children.Replace(loss));
                    Children.Feed(_depth);
                    break;
                case Deadline d:
                    Children.CheckDeadline(d.Child);
                    break;
            }
        }

        void IChildListener.OnFrame(ChildProcessHandle child, Frame frame) => _events.Add(new Frames(child, [frame]));
        void IChildListener.OnFrames(ChildProcessHandle child, IReadOnlyList<Frame> frames) => _events.Add(new Frames(child, frames));
        void IChildListener.OnOutput(ChildProcessHandle child, string line, bool isError) { }
        void IChildListener.OnExited(ChildProcessHandle child, ChildExit exit) => _events.Add(new Exited(child, exit));

        bool IDeadlineTimer.IsArmed(ChildProcessHandle child) { lock (_timers) return _timers.ContainsKey(child.Generation); }

        void IDeadlineTimer.Arm(ChildProcessHandle child, TimeSpan after)
        {
            ((IDeadlineTimer)this).Cancel(child);
            Timer? timer = null;
            timer = new Timer(_ =>
            {
                lock (_timers)
                    if (_timers.TryGetValue(child.Generation, out var armed) && ReferenceEquals(armed, timer)) _timers.Remove(child.Generation);
                _events.Add(new Deadline(child));
            });
            lock (_timers) _timers[child.Generation] = timer;
            timer.Change(after, Timeout.InfiniteTimeSpan);
        }

        void IDeadlineTimer.Cancel(ChildProcessHandle child)
        {
            lock (_timers)
                if (_timers.Remove(child.Generation, out var timer)) timer.Dispose();
        }

        public void Dispose()
        {
            Children.KillAll("the test ended");
            Children.Dispose();
            lock (_timers) foreach (var t in _timers.Values) t.Dispose();
        }
    }
}
