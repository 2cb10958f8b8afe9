using System.Runtime.CompilerServices;
using PoolCluster.WireFormat.Messages;
using PoolCluster.WireFormat.Values;

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
    public void Type_without_a_message_constructor_is_rebuilt_with_its_message_and_stack()
    {
        var rebuilt = Travel(Caught(() => throw new ExceptionWithoutMessageConstructor(7))).ToException();
        Assert.IsType<ExceptionWithoutMessageConstructor>(rebuilt);
        Assert.Equal("code 7", rebuilt.Message);
        Assert.Contains(nameof(Type_without_a_message_constructor_is_rebuilt_with_its_message_and_stack), rebuilt.StackTrace);
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

/// <summary>What an exception carries besides type and message comes back as the thrower set it (issue 9, finding 7).</summary>
public sealed class ErrorInfoPropertyTests
{
    private static Exception Caught(Func<Exception> make)
    {
        try { throw make(); }
        catch (Exception e) { return e; }
    }

    private static T Rebuilt<T>(Exception original) where T : Exception =>
        Assert.IsType<T>(PayloadSerializer.Instance.Deserialize<ErrorInfo>(PayloadSerializer.Instance.Serialize(ErrorInfo.From(original))).ToException());

    [Fact]
    public void Settable_properties_and_enums_travel()
    {
        var rebuilt = Rebuilt<PaymentException>(Caught(() => new PaymentException("refused")
            { Code = 402, Details = "card expired", Reason = PaymentFailure.Expired, Tags = ["card", "eu"] }));
        Assert.Equal(402, rebuilt.Code);
        Assert.Equal("card expired", rebuilt.Details);
        Assert.Equal(PaymentFailure.Expired, rebuilt.Reason);
        Assert.Equal(new[] { "card", "eu" }, rebuilt.Tags);
        Assert.Equal("refused", rebuilt.Message);
    }

    [Fact]
    public void Get_only_auto_init_and_field_backed_properties_travel()
    {
        var rebuilt = Rebuilt<QuotaExceededException>(Caught(() => new QuotaExceededException("over quota", 30, "acme")));
        Assert.Equal(30, rebuilt.Limit);
        Assert.Equal("acme", rebuilt.Tenant);
        Assert.Equal(TimeSpan.FromSeconds(30), rebuilt.RetryAfter);
        Assert.Equal("acme:30", rebuilt.Summary);
        Assert.Equal("over quota", rebuilt.Message);
    }

    [Fact]
    public void A_message_building_constructor_does_not_rebuild_the_message_twice()
    {
        var rebuilt = Rebuilt<UserNotFoundException>(Caught(() => new UserNotFoundException("user42")));
        Assert.Equal("Key 'user42' was not found", rebuilt.Message);
        Assert.Equal("user42", rebuilt.Key);
    }

    [Fact]
    public void Exception_Data_travels_and_an_entry_that_cannot_is_skipped()
    {
        var original = Caught(() => new InvalidOperationException("failed")
            { Data = { ["order"] = 42, ["customer"] = "c-1", ["at"] = new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc),
                       ["why"] = PaymentFailure.Declined, ["stream"] = new MemoryStream(), [7] = 1.5m } });
        var rebuilt = Rebuilt<InvalidOperationException>(original);
        Assert.Equal(42, rebuilt.Data["order"]);
        Assert.Equal("c-1", rebuilt.Data["customer"]);
        Assert.Equal(new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc), rebuilt.Data["at"]);
        Assert.Equal(PaymentFailure.Declined, rebuilt.Data["why"]);
        Assert.Equal(1.5m, rebuilt.Data[7]);
        Assert.False(rebuilt.Data.Contains("stream"));
    }

    [Fact]
    public void HttpRequestException_keeps_its_status_code_and_error()
    {
        var rebuilt = Rebuilt<HttpRequestException>(Caught(() =>
            new HttpRequestException(HttpRequestError.ConnectionError, "no route", null, System.Net.HttpStatusCode.ServiceUnavailable)));
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, rebuilt.StatusCode);
        Assert.Equal(HttpRequestError.ConnectionError, rebuilt.HttpRequestError);
        Assert.Equal("no route", rebuilt.Message);
    }

    [Fact]
    public void IOException_keeps_its_HResult_and_FileNotFoundException_its_file_name()
    {
        var io = Rebuilt<IOException>(Caught(() => new IOException("disk full", unchecked((int)0x80070070))));
        Assert.Equal(unchecked((int)0x80070070), io.HResult);
        Assert.Equal("disk full", io.Message);

        var missing = Rebuilt<FileNotFoundException>(Caught(() => new FileNotFoundException("gone", "/data/in.csv")));
        Assert.Equal("/data/in.csv", missing.FileName);
        Assert.Equal("gone", missing.Message);
    }

    [Fact]
    public void Argument_and_key_exceptions_read_as_the_original()
    {
        var range = Caught(() => new ArgumentOutOfRangeException("count", -3, "must be positive"));
        var rebuiltRange = Rebuilt<ArgumentOutOfRangeException>(range);
        Assert.Equal(range.Message, rebuiltRange.Message);
        Assert.Equal(-3, rebuiltRange.ActualValue);
        Assert.Equal("count", rebuiltRange.ParamName);

        var argument = Caught(() => new ArgumentException("bad format", "input"));
        Assert.Equal(argument.Message, Rebuilt<ArgumentException>(argument).Message);

        var key = Caught(() => new KeyNotFoundException("The given key 'k' was not present in the dictionary."));
        Assert.Equal(key.Message, Rebuilt<KeyNotFoundException>(key).Message);
    }

    [Fact]
    public void A_property_that_cannot_travel_or_be_read_is_skipped_and_the_rest_is_rebuilt()
    {
        var rebuilt = Rebuilt<AwkwardPropertiesException>(Caught(() => new AwkwardPropertiesException("awkward") { Kept = 5, Log = null }));
        Assert.Equal(5, rebuilt.Kept);
        Assert.Equal("awkward", rebuilt.Message);
    }
}

/// <summary>A worker node deserializes ChunkFailed (and its ErrorInfo) under the protocol allow-list before passing it on.</summary>
public sealed class ErrorInfoProtocolTests() : Akka.TestKit.Xunit2.TestKit(PoolClusterConfig.DefaultConfig())
{
    [Fact]
    public void Properties_and_Data_pass_the_protocol_serializer_of_a_worker_node()
    {
        Exception original;
        try { throw new PaymentException("refused") { Code = 7, Reason = PaymentFailure.Declined, Tags = ["x"], Data = { ["order"] = 42, ["why"] = PaymentFailure.Expired } }; }
        catch (Exception e) { original = e; }
        var message = new ChunkFailed(1, ErrorInfo.From(original));
        var serializer = Sys.Serialization.FindSerializerFor(message);
        Assert.IsType<ProtocolSerializer>(serializer);
        var back = (ChunkFailed)serializer.FromBinary(serializer.ToBinary(message), typeof(ChunkFailed));

        var rebuilt = Assert.IsType<PaymentException>(back.Error.ToException());
        Assert.Equal((7, PaymentFailure.Declined), (rebuilt.Code, rebuilt.Reason));
        Assert.Equal(new[] { "x" }, rebuilt.Tags);
        Assert.Equal(42, rebuilt.Data["order"]);
        Assert.Equal(PaymentFailure.Expired, rebuilt.Data["why"]);
    }
}
