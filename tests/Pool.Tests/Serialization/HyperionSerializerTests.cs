using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using HyperionSerializer = Akka.Serialization.HyperionSerializer;

namespace PoolCluster.Tests.Serialization;

public sealed record RoutedWork(IActorRef ReplyTo, Func<int, int> Function, int[] Items);

public sealed record Inventory(string Name, ImmutableList<int> Counts, ImmutableDictionary<string, int> ByName);

public sealed class InventoryException(string message, int code) : Exception(message)
{
    public int Code { get; } = code;
}

public sealed class HyperionSerializerTests : Akka.TestKit.Xunit2.TestKit
{
    private static Config PoolReferenceConfig() =>
        ConfigurationFactory.FromResource<PoolCluster.WireFormat.Messages.ProtocolSerializer>("PoolCluster.reference.conf");

    public HyperionSerializerTests() : base(PoolReferenceConfig(), "hyperion-tests")
    {
    }

    [Fact]
    public void Reference_conf_registers_the_serializer()
    {
        var config = PoolReferenceConfig();
        Assert.Equal("Akka.Serialization.HyperionSerializer, Akka.Serialization.Hyperion", config.GetString("akka.actor.serializers.hyperion"));
        Assert.True(config.GetBoolean("akka.actor.serialization-settings.hyperion.disallow-unsafe-type"));
        Assert.Equal(2, config.GetInt("poolcluster.pool.chunks-in-flight-per-worker")); // the existing block is intact
    }

    [Fact]
    public void Messages_are_serialized_by_the_official_hyperion_serializer()
    {
        var serializer = Sys.Serialization.FindSerializerFor(new RoutedWork(TestActor, ShippableFunctions.Square, []));
        var official = Assert.IsType<HyperionSerializer>(serializer);
        Assert.True(official.Settings.DisallowUnsafeType);
        Assert.Contains(official.Settings.Surrogates, x => x is PoolCluster.WireFormat.Values.SharedObjectHyperionSurrogate);
    }

    [Fact]
    public void Records_with_immutable_collections_and_user_exceptions_round_trip()
    {
        var serializer = Sys.Serialization.FindSerializerForType(typeof(object));
        var inventory = new Inventory("shelf", [1, 2, 3], ImmutableDictionary<string, int>.Empty.Add("a", 1).Add("b", 2));
        var back = Assert.IsType<Inventory>(serializer.FromBinary(serializer.ToBinary(inventory), typeof(Inventory)));
        Assert.Equal(inventory.Name, back.Name);
        Assert.Equal(inventory.Counts, back.Counts);
        Assert.Equal(inventory.ByName.OrderBy(x => x.Key), back.ByName.OrderBy(x => x.Key));

        var error = Assert.IsType<InventoryException>(serializer.FromBinary(serializer.ToBinary(new InventoryException("out of stock", 7)), typeof(object)));
        // Type and message: Hyperion writes an exception's standard fields (a task's exceptions travel as ErrorInfo).
        Assert.Equal("out of stock", error.Message);
    }

    [Fact]
    public void A_shared_object_proxy_in_a_message_travels_as_its_data_not_as_a_collection()
    {
        using var manager = new PoolManager();
        var dict = manager.Dict<string, int>("inventory");
        dict["a"] = 1;
        var serializer = Sys.Serialization.FindSerializerForType(typeof(object));
        var back = Assert.IsType<SharedDict<string, int>>(serializer.FromBinary(serializer.ToBinary(dict), typeof(object)));
        Assert.Equal(1, back["a"]);
    }

    [Fact]
    public void Unsafe_types_are_refused()
    {
        var serializer = Sys.Serialization.FindSerializerForType(typeof(object));
        var bytes = serializer.ToBinary(new DirectoryInfo("/tmp"));
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary(bytes, typeof(object)));
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
