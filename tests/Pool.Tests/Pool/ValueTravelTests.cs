using System.Diagnostics;
using PoolCluster.Tests.Support;

namespace PoolCluster.Tests.Pool;

/// <summary>Issue 9: values that cannot travel, or that nest deep, never kill or mislead the caller.</summary>
public sealed class ValueTravelTests(SharedPoolFixture fixture) : IClassFixture<SharedPoolFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    private WorkerPool Pool => fixture.Pool;

    public sealed class Node
    {
        public int V;
        public Node? Next;

        public static Node Chain(int length)
        {
            Node? head = null;
            for (var i = length - 1; i >= 0; i--) head = new Node { V = i, Next = head };
            return head!;
        }

        public int Length()
        {
            var n = 0;
            for (var node = this; node is not null; node = node.Next) n++;
            return n;
        }
    }

    private static Node Chain20000() => Node.Chain(20_000);

    private static Node Chain(int length) => Node.Chain(length);

    private static int LengthOf(Node node) => node.Length();

    // ---- finding 1: deep values ------------------------------------------------------------------------------------

    [Fact]
    public void Results_nested_20000_and_60000_deep_come_back_whole()
    {
        var list = Pool.ApplyAsync(Chain20000).Get(Wait);
        Assert.Equal(20_000, list.Length());
        Assert.Equal(19_999, Enumerable.Range(0, 19_999).Aggregate(list, (n, _) => n.Next!).V);
        // Deeper than a thread-pool thread's stack holds, on either side: written and read on a thread sized for it.
        Assert.Equal(60_000, Pool.ApplyAsync(Chain, 60_000).Get(Wait).Length());
    }

    [Fact]
    public void An_argument_nested_100000_deep_is_refused_at_the_call_with_how_to_fix_it()
    {
        var deep = Node.Chain(100_000);
        var e = Assert.Throws<TaskSerializationException>(() => Pool.ApplyAsync(LengthOf, deep));
        Assert.Contains("nests more than 100,000 objects deep", e.Message);
        Assert.Contains("max-value-depth", e.Message);
        Assert.Contains("Flatten it", e.Message);
        Assert.Equal(4, Pool.ApplyAsync(TestFunctions.Square, 2).Get(Wait));
    }

    [Fact]
    public void An_argument_nested_50000_deep_travels_and_comes_back()
    {
        Assert.Equal(50_000, Pool.ApplyAsync(LengthOf, Node.Chain(50_000)).Get(Wait));
        var back = Pool.ApplyAsync((Node n) => n, Node.Chain(50_000)).Get(Wait);
        Assert.Equal(50_000, back.Length());
    }

    [Fact]
    public void Values_deeper_than_the_childs_limit_fail_that_task_and_the_child_keeps_working()
    {
        using var pool = new WorkerPool(new PoolOptions { Processes = 1, MaxValueDepth = 1_000 });
        var pid = pool.ApplyAsync(TestFunctions.Pid).Get(Wait);
        var e = Assert.Throws<TaskSerializationException>(() => pool.ApplyAsync(Chain20000).Get(Wait));
        Assert.Contains("result of item 0", e.Message);
        Assert.Contains("nests more than 1,000 objects deep", e.Message);
        // The caller (limit 100,000 shared by its pools) sends a 5,000-deep argument; the child refuses to read it.
        var read = Assert.Throws<TaskSerializationException>(() => pool.ApplyAsync(LengthOf, Node.Chain(5_000)).Get(Wait));
        Assert.Contains("nests more than 1,000 objects deep", read.Message);
        Assert.Equal(pid, pool.ApplyAsync(TestFunctions.Pid).Get(Wait));
    }

    // ---- finding 5: async functions and values that cannot travel ---------------------------------------------------

    [Fact]
    public void An_async_lambda_runs_and_is_awaited_in_the_child()
    {
        Assert.Equal([1, 2], Pool.MapAsync(async (int x) => { await Task.Yield(); return x; }, [1, 2]).Get(Wait));
    }

    [Fact]
    public void An_async_void_action_is_refused_at_the_call()
    {
        var e = Assert.Throws<TaskSerializationException>(() => Pool.ApplyAsync((Action<int>)(async ms => await Task.Delay(ms)), 1));
        Assert.Contains("async void", e.Message);
        Assert.Contains("Func<T, Task>", e.Message);
    }

    [Fact]
    public void A_task_returned_through_a_synchronous_signature_is_refused_at_the_call()
    {
        var e = Assert.Throws<TaskSerializationException>(() => Pool.ApplyAsync<int, Task<int>>((int x) => Task.FromResult(x), 1));
        Assert.Contains("System.Threading.Tasks.Task<System.Int32> through a synchronous signature", e.Message);
        Assert.Contains("Func<T, Task<R>>", e.Message);
    }

    [Fact]
    public void Process_bound_results_fail_their_own_item_clearly()
    {
        var path = Path.GetTempFileName();
        try
        {
            var results = Pool.Imap((int x) => x switch
            {
                1 => (object)new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite),
                2 => new CancellationTokenSource(),
                3 => Task.Delay(1),
                _ => x,
            }, [0, 1, 2, 3, 4]).GetEnumerator();

            Assert.True(results.MoveNext());
            Assert.Equal(0, results.Current);
            foreach (var type in new[] { "System.IO.FileStream", "System.Threading.CancellationTokenSource", "System.Threading.Tasks.Task" })
            {
                var e = Assert.Throws<TaskSerializationException>(() => results.MoveNext());
                Assert.Contains("travel back", e.Message);
                Assert.Contains($"A value of type {type}", e.Message);
            }
            Assert.True(results.MoveNext());
            Assert.Equal(4, results.Current);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Process_bound_arguments_are_refused_at_the_call()
    {
        var path = Path.GetTempFileName();
        try
        {
            using var file = new FileStream(path, FileMode.Open);
            using var cts = new CancellationTokenSource();
            foreach (var (value, type) in new (object, string)[] { (file, "System.IO.FileStream"), (cts, "System.Threading.CancellationTokenSource"), (Task.CompletedTask, "System.Threading.Tasks.Task") })
            {
                var e = Assert.Throws<TaskSerializationException>(() => Pool.ApplyAsync((object o) => o.ToString(), value));
                Assert.Contains($"A value of type {type}", e.Message);
                // inside a graph, too
                Assert.Throws<TaskSerializationException>(() => Pool.MapAsync((object[] o) => o.Length, [new object[] { 1, value }]));
            }
            var declared = Assert.Throws<TaskSerializationException>(() => Pool.ApplyAsync((Stream s) => s.Length, (Stream)file));
            Assert.Contains("takes System.IO.Stream", declared.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    // ---- finding 8b: results over the payload limit ------------------------------------------------------------------

    [Fact]
    public void A_result_over_the_payload_limit_is_PayloadTooLarge_and_the_pool_keeps_working()
    {
        using var pool = new WorkerPool(new PoolOptions { Processes = 1, MaxPayloadSize = 1024 * 1024 });
        var pid = pool.ApplyAsync(TestFunctions.Pid).Get(Wait);
        var e = Assert.Throws<PayloadTooLargeException>(() => pool.ApplyAsync((int n) => new byte[n], 2_000_000).Get(Wait));
        Assert.Contains("1,048,576", e.Message);
        Assert.Contains("2,000,0", e.Message);
        Assert.Contains("MaxPayloadSize", e.Message);
        Assert.Throws<PayloadTooLargeException>(() => pool.MapAsync((int n) => new string('x', n), [10, 600_000]).Get(Wait));
        Assert.Equal(pid, pool.ApplyAsync(TestFunctions.Pid).Get(Wait));
    }

    // ---- finding 8c, 8d: messages that name the real problem ---------------------------------------------------------

    [Fact]
    public void A_task_returning_a_process_is_refused_naming_the_return_type()
    {
        var e = Assert.Throws<TaskSerializationException>(() => Pool.ApplyAsync(() => Process.GetCurrentProcess()));
        Assert.Contains("returns System.Diagnostics.Process", e.Message);
        Assert.Contains("cannot travel back", e.Message);
        Assert.DoesNotContain("Thunk", e.Message);
        Assert.DoesNotContain("captures", e.Message);

        var stream = Assert.Throws<TaskSerializationException>(() => Pool.ApplyAsync((int n) => (Stream)new MemoryStream(new byte[n]), 3));
        Assert.Contains("returns System.IO.Stream", stream.Message);
    }

    [Fact]
    public void A_closure_sharing_its_scope_with_a_lambda_that_captures_the_pool_explains_the_rule()
    {
        var pool = Pool;
        var factor = 3;
        Func<int, int> task = x => x * factor;
        Action neighbour = () => pool.Close(); // never run: it only has to exist beside the task
        GC.KeepAlive(neighbour);

        var e = Assert.Throws<TaskSerializationException>(() => pool.MapAsync(task, [1, 2]));
        Assert.Contains("'pool'", e.Message);
        Assert.Contains("does not use 'pool' itself", e.Message);
        Assert.Contains("one compiler-generated closure class", e.Message);
        Assert.Contains("static local function", e.Message);
    }
}
