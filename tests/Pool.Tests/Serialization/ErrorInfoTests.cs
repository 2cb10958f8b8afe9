using System.Runtime.CompilerServices;
using PoolCluster.Serialization;
using Xunit;

namespace PoolCluster.Tests.Serialization;

public sealed class ExceptionWithoutMessageConstructor : Exception
{
    public ExceptionWithoutMessageConstructor(int code) : base("code " + code) { }
}

public sealed class ErrorInfoTests
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowingUserCode() => throw new InvalidOperationException("user code failed");

    private static Exception Caught(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e)
        {
            return e;
        }
        throw new InvalidOperationException("expected an exception");
    }

    private static ErrorInfo Travel(Exception e) =>
        PayloadSerializer.Instance.Deserialize<ErrorInfo>(PayloadSerializer.Instance.Serialize(ErrorInfo.From(e)));

    [Fact]
    public void Rebuilds_type_message_and_remote_stack()
    {
        var original = Caught(ThrowingUserCode);
        var rebuilt = Travel(original).ToException();

        Assert.IsType<InvalidOperationException>(rebuilt);
        Assert.Equal("user code failed", rebuilt.Message);
        Assert.Contains(nameof(ThrowingUserCode), rebuilt.StackTrace);
    }

    [Fact]
    public void Remote_stack_survives_rethrow_in_the_caller()
    {
        var rebuilt = Travel(Caught(ThrowingUserCode)).ToException();
        var rethrown = Caught(() => throw rebuilt);
        Assert.Contains(nameof(ThrowingUserCode), rethrown.StackTrace);
    }

    [Fact]
    public void Inner_exception_chain_is_rebuilt()
    {
        var original = Caught(() =>
        {
            try { ThrowingUserCode(); }
            catch (Exception e) { throw new IOException("outer", e); }
        });
        var rebuilt = Travel(original).ToException();

        Assert.IsType<IOException>(rebuilt);
        var inner = Assert.IsType<InvalidOperationException>(rebuilt.InnerException);
        Assert.Equal("user code failed", inner.Message);
        Assert.Contains(nameof(ThrowingUserCode), inner.StackTrace);
    }

    [Fact]
    public void Unknown_type_becomes_remote_task_exception()
    {
        var info = new ErrorInfo("Nowhere.VanishedException, Nowhere.Assembly", "it vanished", "   at Nowhere.Code.Run()", null);
        var travelled = PayloadSerializer.Instance.Deserialize<ErrorInfo>(PayloadSerializer.Instance.Serialize(info));
        var rebuilt = Assert.IsType<RemoteTaskException>(travelled.ToException());

        Assert.Equal("Nowhere.VanishedException", rebuilt.RemoteTypeName);
        Assert.Equal("it vanished", rebuilt.RemoteMessage);
        Assert.Contains("Nowhere.Code.Run", rebuilt.StackTrace);
    }

    [Fact]
    public void Type_without_a_message_constructor_becomes_remote_task_exception()
    {
        var rebuilt = Travel(Caught(() => throw new ExceptionWithoutMessageConstructor(7))).ToException();
        var remote = Assert.IsType<RemoteTaskException>(rebuilt);
        Assert.Equal(typeof(ExceptionWithoutMessageConstructor).FullName, remote.RemoteTypeName);
        Assert.Equal("code 7", remote.RemoteMessage);
    }

    [Fact]
    public void Argument_exceptions_keep_param_name_and_message()
    {
        var original = Caught(() => throw new ArgumentOutOfRangeException("count", "must be positive"));
        var rebuilt = Assert.IsType<ArgumentOutOfRangeException>(Travel(original).ToException());
        Assert.Equal("count", rebuilt.ParamName);
        Assert.Equal(original.Message, rebuilt.Message);

        var nullArg = Assert.IsType<ArgumentNullException>(Travel(Caught(() => throw new ArgumentNullException("items"))).ToException());
        Assert.Equal("items", nullArg.ParamName);
    }

    [Fact]
    public void Aggregate_exception_rebuilds_its_inners()
    {
        var original = new AggregateException("several", new InvalidOperationException("a"), new FormatException("b"));
        var rebuilt = Assert.IsType<AggregateException>(Travel(original).ToException());

        Assert.Equal(original.Message, rebuilt.Message);
        Assert.Collection(rebuilt.InnerExceptions,
            e => Assert.Equal(("a", typeof(InvalidOperationException)), (e.Message, e.GetType())),
            e => Assert.Equal(("b", typeof(FormatException)), (e.Message, e.GetType())));
    }

    [Fact]
    public void Remote_task_exception_travelling_again_keeps_the_original_type()
    {
        var first = new ErrorInfo("Nowhere.VanishedException, Nowhere.Assembly", "gone", "   at Nowhere.Code.Run()", null).ToException();
        var again = Travel(first);
        Assert.Equal("Nowhere.VanishedException", again.DisplayTypeName);
        Assert.Equal("gone", again.Message);
    }
}
