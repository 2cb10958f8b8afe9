namespace PoolCluster.Tests.Manager;

/// <summary>Each object type's semantics, used from this process (threads are distinct holders).</summary>
public sealed class SharedObjectSemanticsTests : IDisposable
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly PoolManager _manager = new();

    public void Dispose() => _manager.Dispose();

    private static T OnOtherThread<T>(Func<T> f) => Task.Factory.StartNew(f, TaskCreationOptions.LongRunning).GetAwaiter().GetResult();

    [Fact]
    public void Dict_behaves_as_a_dictionary()
    {
        var d = _manager.Dict<string, int>("d");
        d["a"] = 1;
        d.Add("b", 2);
        Assert.Throws<ArgumentException>(() => d.Add("a", 5));
        Assert.Equal(2, d.Count);
        Assert.Equal(1, d["a"]);
        Assert.Throws<KeyNotFoundException>(() => d["missing"]);
        Assert.True(d.TryGetValue("b", out var b) && b == 2);
        Assert.False(d.TryGetValue("zzz", out _));
        Assert.True(d.ContainsKey("a"));
        Assert.Equal(1, d.GetOrAdd("a", 100));
        Assert.Equal(7, d.GetOrAdd("c", 7));
        Assert.Equal(new[] { "a", "b", "c" }, d.Keys.OrderBy(k => k));
        Assert.Equal(10, d.Values.Sum());
        Assert.True(d.Remove("c"));
        Assert.False(d.Remove("c"));
        Assert.Equal(new Dictionary<string, int> { ["a"] = 1, ["b"] = 2 }, d.ToDictionary(p => p.Key, p => p.Value));
        d.Clear();
        Assert.Empty(d);
    }

    [Fact]
    public void List_behaves_as_a_list()
    {
        var l = _manager.List<string>();
        l.Add("x");
        l.Add("z");
        l.Insert(1, "y");
        Assert.Equal(new[] { "x", "y", "z" }, l);
        Assert.Equal(3, l.Append("w"));
        Assert.Equal(1, l.IndexOf("y"));
        l[0] = "X";
        Assert.Equal("X", l[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => l[10]);
        l.RemoveAt(3);
        Assert.True(l.Remove("y"));
        Assert.True(l.Contains("z"));
        Assert.Equal(2, l.Count);
    }

    [Fact]
    public void Queue_is_fifo_bounded_and_waits()
    {
        var q = _manager.Queue<int>("bounded", maxSize: 2);
        Assert.Equal(2, q.MaxSize);
        q.Put(1);
        q.Put(2);
        Assert.Throws<TimeoutException>(() => q.Put(3, Short));
        Assert.False(q.TryPut(3));
        // A blocked put proceeds when a get makes room.
        var putter = Task.Factory.StartNew(() => q.Put(3, Patience), TaskCreationOptions.LongRunning);
        Assert.False(putter.Wait(Short), "a put into a full queue returned without waiting for room");
        Assert.Equal(1, q.Get(Patience));
        putter.Wait(Patience);
        Assert.Equal(2, q.Get(Short));
        Assert.Equal(3, q.Get(Short));
        Assert.False(q.TryGet(out _));
        Assert.Throws<TimeoutException>(() => q.Get(Short));
        // A blocked get receives the next put.
        var getter = Task.Factory.StartNew(() => q.Get(Patience), TaskCreationOptions.LongRunning);
        Assert.False(getter.Wait(Short), "a get from an empty queue returned without waiting for a put");
        q.Put(42);
        Assert.Equal(42, getter.Result);
        Assert.Equal(0, q.Count);
    }

    [Fact]
    public void Value_holds_one_value_with_atomic_exchanges()
    {
        var v = _manager.Value("v", 5);
        Assert.Equal(5, v.Value);
        v.Value = 6;
        Assert.Equal(6, _manager.Value("v", 999).Value);
        Assert.Equal(6, v.Exchange(7));
        Assert.Equal(7, v.CompareExchange(8, 7));
        Assert.Equal(8, v.CompareExchange(100, 7));
        Assert.Equal(8, v.Value);
        Assert.Null(_manager.Value<string>("s").Value);
    }

    [Fact]
    public void Lock_excludes_other_threads_and_only_the_owner_releases()
    {
        var l = _manager.Lock("l");
        using (l.Acquire(Patience))
        {
            Assert.True(l.IsLocked);
            Assert.Throws<TimeoutException>(() => OnOtherThread(() => l.Acquire(Short)));
            Assert.Throws<SynchronizationLockException>(() => OnOtherThread(() => { l.Release(); return 0; }));
            // Not re-entrant: the owner itself waits.
            Assert.False(l.TryAcquire(Short));
        }
        Assert.False(l.IsLocked);
        Assert.True(OnOtherThread(() => l.TryAcquire(Short)));
        Assert.Throws<SynchronizationLockException>(() => l.Release());
    }

    [Fact]
    public void A_waiting_acquire_gets_the_lock_when_it_is_released()
    {
        var l = _manager.Lock("handover");
        var held = l.Acquire(Patience);
        var waiter = Task.Factory.StartNew(() => { using (l.Acquire(Patience)) return true; }, TaskCreationOptions.LongRunning);
        Assert.False(waiter.Wait(Short), "a second acquire got a held lock");
        Assert.False(waiter.IsCompleted);
        held.Dispose();
        Assert.True(waiter.Wait(Patience) && waiter.Result);
    }

    [Fact]
    public void RLock_is_reentrant_for_its_owner_only()
    {
        var r = _manager.RLock("r");
        var outer = r.Acquire(Patience);
        var inner = r.Acquire(Short);
        Assert.True(r.IsHeldByCurrentThread);
        Assert.False(OnOtherThread(() => r.TryAcquire(Short)));
        inner.Dispose();
        Assert.False(OnOtherThread(() => r.TryAcquire(Short)));
        outer.Dispose();
        Assert.False(r.IsLocked);
        Assert.True(OnOtherThread(() => { using (r.Acquire(Short)) return true; }));
    }

    [Fact]
    public void Semaphore_counts_permits_and_is_bounded()
    {
        var s = _manager.Semaphore("s", 2);
        Assert.True(s.TryAcquire());
        using (s.Acquire(Short))
        {
            Assert.Equal(0, s.CurrentCount);
            Assert.Throws<TimeoutException>(() => OnOtherThread(() => s.Acquire(Short)));
        }
        Assert.Equal(1, s.CurrentCount);
        s.Release();
        Assert.Equal(2, s.CurrentCount);
        Assert.Throws<SemaphoreFullException>(() => s.Release());
    }

    [Fact]
    public void Event_wakes_waiters_when_set()
    {
        var e = _manager.Event("e");
        Assert.False(e.IsSet);
        Assert.False(e.Wait(Short));
        var waiter = Task.Factory.StartNew(() => e.Wait(Patience), TaskCreationOptions.LongRunning);
        Assert.False(waiter.Wait(Short), "a wait on an unset event returned");
        e.Set();
        Assert.True(waiter.Result);
        Assert.True(e.IsSet);
        Assert.True(e.Wait(TimeSpan.Zero));
        e.Clear();
        Assert.False(e.Wait(TimeSpan.Zero));
    }

    [Fact]
    public void Barrier_releases_a_full_round_and_times_out_a_lone_waiter()
    {
        var b = _manager.Barrier("b", 3);
        Assert.Equal(3, b.Parties);
        var round = Enumerable.Range(0, 3).Select(_ => Task.Factory.StartNew(() => b.Wait(Patience), TaskCreationOptions.LongRunning)).ToArray();
        Assert.True(Task.WaitAll(round, Patience));
        Assert.Equal(new[] { 0, 1, 2 }, round.Select(t => t.Result).OrderBy(i => i));
        Assert.Throws<TimeoutException>(() => b.Wait(Short));
        Assert.Equal(0, b.Waiting);
    }

    [Fact]
    public void Namespace_holds_named_attributes()
    {
        var ns = _manager.Namespace("ns");
        ns["x"] = 1;
        ns.Set("name", "pool");
        Assert.Equal(1, ns["x"]);
        Assert.Equal("pool", ns.Get<string>("name"));
        Assert.True(ns.Contains("x"));
        Assert.Equal(new[] { "name", "x" }, ns.Names.OrderBy(n => n));
        Assert.Throws<KeyNotFoundException>(() => ns["nope"]);
        Assert.True(ns.Remove("x"));
        Assert.False(ns.Contains("x"));
    }

    [Fact]
    public void Registered_objects_run_in_the_manager_and_throw_typed_exceptions()
    {
        var counter = _manager.Register<ICounter>("counter", () => new Counter(10));
        Assert.Equal(15, counter.Add(5));
        Assert.Equal(15, counter.Total);
        Assert.Equal("n:15:3", counter.Describe("n", 3L));
        var again = _manager.Register<ICounter>("counter", () => new Counter(-1000));
        Assert.Equal(15, again.Total);
        var error = Assert.Throws<CounterException>(() => counter.Fail("boom"));
        Assert.Equal("boom", error.Message);
    }

    [Fact]
    public void The_same_name_is_the_same_object_and_a_new_private_one_is_separate()
    {
        var a = _manager.Dict<string, int>("same");
        a["k"] = 1;
        Assert.Equal(1, _manager.Dict<string, int>("same")["k"]);
        var p1 = _manager.List<int>();
        var p2 = _manager.List<int>();
        p1.Add(1);
        Assert.NotEqual(p1.Name, p2.Name);
        Assert.Empty(p2);
    }

    [Fact]
    public void A_name_used_with_another_kind_is_a_clear_error()
    {
        _manager.Dict<string, int>("taken");
        var error = Assert.Throws<InvalidOperationException>(() => _manager.Queue<int>("taken"));
        Assert.Contains("dict", error.Message);
        Assert.Contains("queue", error.Message);
        Assert.Contains("taken", error.Message);
    }

    [Fact]
    public void A_disposed_manager_makes_proxies_raise_ManagerUnavailableException()
    {
        var manager = new PoolManager();
        var d = manager.Dict<int, int>("gone");
        d.CallTimeout = TimeSpan.FromSeconds(1);
        d[1] = 1;
        manager.Dispose();
        Assert.Throws<ManagerUnavailableException>(() => d[1] = 2);
    }
}
