using System.Runtime.Serialization;
using Akka.TestKit.Xunit2;
using PoolCluster.WireFormat.Messages;

namespace PoolCluster.Tests.Security;

public sealed class ProtocolSerializerTests() : TestKit(PoolClusterConfig.DefaultConfig())
{
    public sealed record NotProtocol(string Command);

    [Fact]
    public void Protocol_messages_use_the_protocol_serializer_and_round_trip()
    {
        var message = new TaskChunk(7, new FunctionSpec(3, [1, 2, 3]), [4, 5], "map job 1, chunk 0") { FirstItem = 40 };
        var serializer = Sys.Serialization.FindSerializerFor(message);
        Assert.IsType<ProtocolSerializer>(serializer);
        var back = (TaskChunk)serializer.FromBinary(serializer.ToBinary(message), typeof(TaskChunk));
        Assert.Equal(message.TaskId, back.TaskId);
        Assert.Equal(message.Payload, back.Payload);
        Assert.Equal(40, back.FirstItem);

        var attach = new AttachRouter(TestActor, Worker.WorkerSettings.From(PoolSettings.Default, [9]), PoolCluster.Cluster.AssemblyManifest.ForThisApp());
        var attachBack = (AttachRouter)serializer.FromBinary(serializer.ToBinary(attach), typeof(AttachRouter));
        Assert.Equal(TestActor, attachBack.Router);
        Assert.Equal(attach.Manifest.Entries.Count, attachBack.Manifest.Entries.Count);
    }

    [Fact]
    public void The_protocol_serializer_refuses_to_deserialize_any_other_type()
    {
        var protocol = (ProtocolSerializer)Sys.Serialization.FindSerializerFor(new RequestWork(1));
        var general = (Akka.Serialization.HyperionSerializer)Sys.Serialization.FindSerializerFor(new NotProtocol("rm -rf /"));
        var foreign = general.ToBinary(new NotProtocol("rm -rf /"));
        var refused = Assert.Throws<SerializationException>(() => protocol.FromBinary(foreign, typeof(object)));
        Assert.Contains(typeof(NotProtocol).FullName!, refused.Message);
        Assert.False(ProtocolTypeFilter.Instance.IsAllowed("System.Diagnostics.Process, System.Diagnostics.Process"));
        Assert.False(ProtocolTypeFilter.Instance.IsAllowed("System.Collections.Generic.List`1[[MyApp.Evil, MyApp]], System.Private.CoreLib"));
        Assert.True(ProtocolTypeFilter.Instance.IsAllowed("System.Collections.Generic.List`1[[System.String, System.Private.CoreLib]], System.Private.CoreLib"));
    }
}
