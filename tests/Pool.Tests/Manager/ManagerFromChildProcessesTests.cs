using System.Diagnostics;

namespace PoolCluster.Tests.Manager;

/// <summary>Proxies captured in tasks run in real child processes of a local pool; the manager lives in this process.</summary>
public sealed class ManagerFromChildProcessesTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly PoolManager _manager = new();
    private readonly WorkerPool _pool = new(processes: 2);

    public void Dispose()
    {
        _pool.Dispose();
        _manager.Dispose();
    }

    [Fact]
    public void Two_hundred_tasks_fill_a_shared_dict_and_count_exactly_under_a_shared_lock()
    {
        var squares = _manager.Dict<int, int>("squares");
        var counter = _manager.Value("counter", 0);
        var guard = _manager.Lock("counter-lock");

        var pids = _pool.MapAsync(x =>
        {
            squares[x] = x * x;
            using (guard.Acquire(TimeSpan.FromSeconds(30)))
                counter.Value = counter.Value + 1;   // read-modify-write: only correct under the lock
            return Environment.ProcessId;
        }, Enumerable.Range(0, 200), chunkSize: 1).Get(Patience);

        Assert.Equal(200, squares.Count);
        Assert.All(squares, p => Assert.Equal(p.Key * p.Key, p.Value));
        Assert.Equal(200, counter.Value);
        Assert.DoesNotContain(Environment.ProcessId, pids);
        Assert.Equal(2, pids.Distinct().Count());
    }

    [Fact]
    public void A_task_puts_a_hundred_numbers_that_the_caller_takes_and_then_the_empty_queue_times_out()
    {
        var queue = _manager.Queue<int>("numbers");
        _pool.ApplyAsync(() => { for (var i = 0; i < 100; i++) queue.Put(i); return 0; }).Get(Patience);

        var taken = Enumerable.Range(0, 100).Select(_ => queue.Get(TimeSpan.FromSeconds(10))).ToList();
        Assert.Equal(Enumerable.Range(0, 100), taken);
        var watch = Stopwatch.StartNew();
        Assert.Throws<TimeoutException>(() => queue.Get(TimeSpan.FromMilliseconds(200)));
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_child_blocked_on_a_bounded_queue_proceeds_as_the_caller_consumes()
    {
        var queue = _manager.Queue<string>("bounded", maxSize: 1);
        var producer = _pool.ApplyAsync(() => { for (var i = 0; i < 5; i++) queue.Put("item" + i, TimeSpan.FromSeconds(30)); return 0; });
        var got = Enumerable.Range(0, 5).Select(_ => queue.Get(TimeSpan.FromSeconds(30))).ToList();
        producer.Get(Patience);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => "item" + i), got);
    }

    [Fact]
    public void A_task_killed_while_holding_a_shared_lock_does_not_leave_it_locked()
    {
        var guard = _manager.Lock("doomed");
        var acquired = _manager.Event("acquired");
        var run = _pool.ApplyAsync(() =>
        {
            guard.Acquire(TimeSpan.FromSeconds(10));
            acquired.Set();
            Thread.Sleep(300);
            Process.GetCurrentProcess().Kill();   // kill -9 of the child while it holds the lock
            return 0;
        });
        Assert.True(acquired.Wait(TimeSpan.FromSeconds(30)), "the task took the lock");
        Assert.True(guard.IsLocked);
        Assert.Throws<WorkerLostException>(() => run.Get(Patience));

        using (guard.Acquire(TimeSpan.FromSeconds(5)))
            Assert.True(guard.IsLocked);
        Assert.False(guard.IsLocked);
    }

    [Fact]
    public void A_task_that_exits_holding_semaphore_permits_and_an_rlock_returns_them()
    {
        var permits = _manager.Semaphore("permits", 2);
        var rlock = _manager.RLock("reentrant");
        var run = _pool.ApplyAsync(() =>
        {
            permits.Acquire(TimeSpan.FromSeconds(10));
            permits.Acquire(TimeSpan.FromSeconds(10));
            rlock.Acquire(TimeSpan.FromSeconds(10));
            rlock.Acquire(TimeSpan.FromSeconds(10));
            Environment.Exit(3);
            return 0;
        });
        Assert.Throws<WorkerLostException>(() => run.Get(Patience));
        using (rlock.Acquire(TimeSpan.FromSeconds(5)))
        using (permits.Acquire(TimeSpan.FromSeconds(5)))
        using (permits.Acquire(TimeSpan.FromSeconds(5)))
            Assert.Equal(0, permits.CurrentCount);
    }

    [Fact]
    public void Children_meet_at_a_shared_barrier_and_see_each_others_events()
    {
        // One party in a child, one here (two tasks might be pipelined to the same child and run one after the other).
        var barrier = _manager.Barrier("meet", 2);
        var child = _pool.ApplyAsync(() => barrier.Wait(TimeSpan.FromSeconds(30)));
        var mine = barrier.Wait(TimeSpan.FromSeconds(30));
        Assert.Equal(new[] { 0, 1 }, new[] { mine, child.Get(Patience) }.OrderBy(i => i));

        var go = _manager.Event("go");
        var waiting = _pool.ApplyAsync(() => go.Wait(TimeSpan.FromSeconds(30)));
        Assert.Throws<TimeoutException>(() => waiting.Get(TimeSpan.FromMilliseconds(200))); // not done before the event is set
        go.Set();
        Assert.True(waiting.Get(Patience));
    }

    [Fact]
    public void A_registered_object_is_used_from_a_child_and_its_exception_keeps_its_type()
    {
        var counter = _manager.Register<ICounter>("child-counter", () => new Counter(0));
        var totals = _pool.MapAsync(x => counter.Add(x), Enumerable.Range(1, 10), chunkSize: 1).Get(Patience);
        Assert.Equal(55, counter.Total);
        Assert.Equal(10, totals.Distinct().Count());

        var handle = HostedObjectHandle.Of(counter);
        Assert.Equal(55, _pool.Apply(() => handle.As<ICounter>().Total));

        var error = ApplyThrows<CounterException>(_pool, FailIn(counter));
        Assert.Equal("from a child", error.Message);
    }

    [Fact]
    public void Namespace_list_and_same_name_proxies_made_in_a_child_reach_the_same_objects()
    {
        var ns = _manager.Namespace("settings");
        ns["factor"] = 3;
        var results = _manager.List<int>("results");
        _pool.MapAsync(x => { results.Add(x * ns.Get<int>("factor")); return 0; }, Enumerable.Range(1, 4), chunkSize: 1).Get(Patience);
        Assert.Equal(new[] { 3, 6, 9, 12 }, results.OrderBy(x => x));
    }

    [Fact]
    public void A_gone_manager_raises_ManagerUnavailableException_in_the_child()
    {
        var manager = new PoolManager();
        var d = manager.Dict<int, int>("soon-gone");
        d.CallTimeout = TimeSpan.FromSeconds(1);
        manager.Dispose();
        ApplyThrows<ManagerUnavailableException>(_pool, Read(d, 1));
    }

    // Task functions made outside the test methods: a lambda there that also uses `this` (the pool) would put the
    // test instance into the same closure as the task's captures.
    private static TException ApplyThrows<TException>(WorkerPool pool, Func<int> task) where TException : Exception =>
        Assert.Throws<TException>(() => pool.Apply(task));

    private static Func<int> FailIn(ICounter counter) => () => { counter.Fail("from a child"); return 0; };

    private static Func<int> Read(SharedDict<int, int> d, int key) => () => d[key];
}
