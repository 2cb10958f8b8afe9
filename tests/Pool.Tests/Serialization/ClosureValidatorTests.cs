using System.Linq.Expressions;
using PoolCluster.WireFormat.Functions;
using PoolCluster.WireFormat.Values;

namespace PoolCluster.Tests.Serialization;

public sealed class StreamOwner
{
    private readonly Stream _log;

    public StreamOwner(Stream log) => _log = log;

    public Func<int, long> Function() => x => x + _log.Length;
}

public sealed class ClosureValidatorTests
{
    [Fact]
    public void Captured_file_stream_is_named()
    {
        var path = Path.GetTempFileName();
        try
        {
            using var connection = new FileStream(path, FileMode.Open);
            Func<int, long> f = x => x + connection.Length;

            var e = Assert.Throws<TaskSerializationException>(() => ClosureValidator.Validate(f));
            Assert.Equal("connection", e.MemberName);
            Assert.Contains("'connection' (System.IO.FileStream)", e.Message);
            Assert.Contains("Capture the data instead", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Captured_thread_is_named()
    {
        var worker = new Thread(() => { });
        Func<int, int> f = x => x + worker.ManagedThreadId;
        var e = Assert.Throws<TaskSerializationException>(() => ClosureValidator.Validate(f));
        Assert.Equal("worker", e.MemberName);
        Assert.Contains("System.Threading.Thread", e.Message);
    }

    [Fact]
    public void Captured_cancellation_token_source_is_named()
    {
        using var cts = new CancellationTokenSource();
        Func<int, bool> f = x => x > 0 && !cts.IsCancellationRequested;
        var e = Assert.Throws<TaskSerializationException>(() => ClosureValidator.Validate(f));
        Assert.Equal("cts", e.MemberName);
    }

    [Fact]
    public void Member_of_a_nested_closure_scope_is_named_like_a_local()
    {
        var task = Task.CompletedTask;
        Func<int, int> f = null!;
        for (var i = 0; i < 1; i++)
        {
            var copy = i;
            f = x => x + copy + (task.IsCompleted ? 1 : 0);
        }
        var e = Assert.Throws<TaskSerializationException>(() => ClosureValidator.Validate(f));
        Assert.Equal("task", e.MemberName);
    }

    [Fact]
    public void Process_bound_value_inside_a_captured_delegate_is_found()
    {
        using var handle = new ManualResetEvent(false);
        var inner = Waiter(handle);
        Func<int, int> f = x => inner() ? x : -x;
        var e = Assert.Throws<TaskSerializationException>(() => ClosureValidator.Validate(f));
        Assert.Equal("inner.waitHandle", e.MemberName);
    }

    private static Func<bool> Waiter(WaitHandle waitHandle) => () => waitHandle.WaitOne(0);

    [Fact]
    public void Field_of_captured_this_is_named_with_its_path()
    {
        var owner = new StreamOwner(new MemoryStream());
        var e = Assert.Throws<TaskSerializationException>(() => ClosureValidator.Validate(owner.Function()));
        Assert.Equal("this._log", e.MemberName);
        Assert.Contains("System.IO.MemoryStream", e.Message);
    }

    [Fact]
    public void Serializable_captures_pass()
    {
        var factor = 3;
        var names = new[] { "a" };
        var k = new Multiplier(2).Times();
        ClosureValidator.Validate((Func<int, int>)(x => x * factor + names.Length + k(x)));
        ClosureValidator.Validate((Func<int, int>)ShippableFunctions.Square);
    }

    [Fact]
    public void Ship_check_returns_bytes_that_deserialize()
    {
        var factor = 3;
        var bytes = FunctionShipCheck.SerializeFunctionBody(new Job("j", x => x * factor));
        Assert.Equal(12, PayloadSerializer.Instance.Deserialize<Job>(bytes).Function(4));
    }

    [Fact]
    public void Ship_check_validates_before_serializing()
    {
        var worker = new Thread(() => { });
        var e = Assert.Throws<TaskSerializationException>(() =>
            FunctionShipCheck.SerializeFunctionBody(new Job("j", x => x + worker.ManagedThreadId)));
        Assert.Equal("worker", e.MemberName);
    }

    [Fact]
    public void Ship_check_names_the_captured_member_that_fails_to_serialize()
    {
        var x = Expression.Parameter(typeof(int));
        var compiled = Expression.Lambda<Func<int, int>>(Expression.Negate(x), x).Compile();
        var offset = 1;

        var e = Assert.Throws<TaskSerializationException>(() =>
            FunctionShipCheck.SerializeFunctionBody(new Job("j", v => compiled(v) + offset)));
        Assert.Equal("compiled", e.MemberName);
        Assert.Contains("'compiled'", e.Message);
        Assert.Contains("dynamic method", e.Message);
    }

    [Fact]
    public void A_variable_only_a_neighbouring_lambda_uses_is_explained_as_the_shared_closure()
    {
        using var stream = new MemoryStream();
        var factor = 2;
        Func<int, int> task = x => x * factor;
        Func<long> neighbour = () => stream.Length;
        GC.KeepAlive(neighbour);

        var e = Assert.Throws<TaskSerializationException>(() => ClosureValidator.Validate(task));
        Assert.Equal("stream", e.MemberName);
        Assert.Contains("does not use 'stream' itself", e.Message);
    }

    [Fact]
    public void A_variable_used_through_a_local_function_gets_the_plain_message()
    {
        using var stream = new MemoryStream();
        long Length() => stream.Length;
        Func<int, long> task = x => x + Length();

        var e = Assert.Throws<TaskSerializationException>(() => ClosureValidator.Validate(task));
        Assert.Equal("stream", e.MemberName);
        Assert.DoesNotContain("does not use", e.Message);
    }
}
