using Akka.Actor;
using Akka.Configuration;
using PoolCluster.Serialization;
using Xunit;

namespace PoolCluster.Tests.Serialization;

public sealed record RoutedWork(IActorRef ReplyTo, Func<int, int> Function, int[] Items);

public sealed class HyperionSerializerTests : Akka.TestKit.Xunit2.TestKit
{
    private static Config PoolReferenceConfig() =>
        ConfigurationFactory.FromResource<HyperionSerializer>("PoolCluster.reference.conf");

    public HyperionSerializerTests() : base(PoolReferenceConfig(), "hyperion-tests")
    {
    }

    [Fact]
    public void Reference_conf_registers_the_serializer()
    {
        var config = PoolReferenceConfig();
        Assert.Equal("PoolCluster.Serialization.HyperionSerializer, Pool.Core", config.GetString("akka.actor.serializers.hyperion"));
        Assert.Equal(2, config.GetInt("poolcluster.pool.chunks-in-flight-per-worker")); // the existing block is intact
    }

    [Fact]
    public void Messages_are_serialized_by_our_hyperion_serializer()
    {
        var serializer = Sys.Serialization.FindSerializerFor(new RoutedWork(TestActor, ShippableFunctions.Square, []));
        var ours = Assert.IsType<HyperionSerializer>(serializer);
        Assert.Equal(HyperionSerializer.DefaultIdentifier, ours.Identifier);
        Assert.False(ours.IncludeManifest);
    }

    [Fact]
    public void Message_with_actor_ref_and_closure_round_trips()
    {
        var offset = 5;
        var message = new RoutedWork(TestActor, x => x + offset, [1, 2, 3]);
        var serializer = Sys.Serialization.FindSerializerFor(message);

        var back = Assert.IsType<RoutedWork>(serializer.FromBinary(serializer.ToBinary(message), typeof(RoutedWork)));

        Assert.Equal(TestActor, back.ReplyTo);
        Assert.Equal(new[] { 6, 7, 8 }, back.Items.Select(back.Function));
        back.ReplyTo.Tell("through the deserialized ref");
        ExpectMsg("through the deserialized ref");
    }

    [Fact]
    public async Task Serialize_messages_mode_delivers_closures_to_actors()
    {
        var system = ActorSystem.Create("serialize-messages",
            ConfigurationFactory.ParseString("akka.actor.serialize-messages = on").WithFallback(PoolReferenceConfig()));
        var echo = system.ActorOf(Props.Create(() => new ApplyActor()));
        var factor = 4;

        try
        {
            var reply = await echo.Ask<int[]>(new RoutedWork(TestActor, x => x * factor, [1, 2]), TimeSpan.FromSeconds(5));
            Assert.Equal(new[] { 4, 8 }, reply);
        }
        finally
        {
            await system.Terminate();
        }
    }

    private sealed class ApplyActor : ReceiveActor
    {
        public ApplyActor() => Receive<RoutedWork>(w => Sender.Tell(w.Items.Select(w.Function).ToArray()));
    }
}
