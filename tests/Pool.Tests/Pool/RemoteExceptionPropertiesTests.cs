using PoolCluster.Tests.Serialization;

namespace PoolCluster.Tests.Pool;

/// <summary>An exception thrown by user code in a child reaches the caller with what it carried (issue 9, finding 7).</summary>
public sealed class RemoteExceptionPropertiesTests(SharedPoolFixture fixture) : IClassFixture<SharedPoolFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private WorkerPool Pool => fixture.Pool;

    [Fact]
    public void A_custom_exception_from_a_child_keeps_its_properties_and_Data()
    {
        var e = Assert.Throws<PaymentException>(() => Pool.ApplyAsync(PaymentException.Throw, 402).Get(Patience));
        Assert.Equal(402, e.Code);
        Assert.Equal("card expired", e.Details);
        Assert.Equal(PaymentFailure.Expired, e.Reason);
        Assert.Equal(new[] { "card", "eu" }, e.Tags);
        Assert.Equal(42, e.Data["order"]);
        Assert.Equal("c-1", e.Data["customer"]);
        Assert.Contains(nameof(PaymentException.Throw), e.StackTrace);
    }

    [Fact]
    public void A_message_building_constructor_in_a_child_gives_the_original_message_in_Map()
    {
        var e = Assert.Throws<UserNotFoundException>(() => Pool.MapAsync(UserNotFoundException.Throw, new[] { 42 }).Get(Patience));
        Assert.Equal("Key 'user42' was not found", e.Message);
        Assert.Equal("user42", e.Key);
    }
}
