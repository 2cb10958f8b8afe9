using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using PoolCluster.Manager.State;
using PoolCluster.WireFormat.Values;

namespace PoolCluster.Manager;

/// <summary>
/// Where the cluster manager keeps a copy of its data: the Akka.DistributedData replicator of the members with
/// <c>akka.cluster.distributed-data.role</c> (cluster.conf: <c>seed</c>, the manager's role), holding one LWW dictionary of
/// object name → <see cref="ReplicatedObject"/> bytes. The manager writes an object with <see cref="WriteMajority"/>
/// before it answers a call that changed it, and a new manager reads the dictionary (majority, else local) before it
/// takes its first call. One writer at a time (the singleton), so last-writer-wins is simply the latest content.
/// </summary>
internal sealed class ManagerReplica(IActorRef replicator, UniqueAddress self, TimeSpan timeout)
{
    private static readonly LWWDictionaryKey<string, byte[]> Key = new("poolcluster-manager");

    /// <summary>This member's Distributed Data replicator (started on first use); null when the system has no Distributed
    /// Data settings (an application's own actor system without PoolCluster's cluster defaults): the manager then keeps
    /// no copy.</summary>
    public static IActorRef? StartReplicator(ActorSystem system)
    {
        var config = system.Settings.Config.GetConfig("akka.cluster.distributed-data");
        if (config is null || config.IsEmpty) return null;
        return DistributedData.Get(system).Replicator;
    }

    /// <summary>Writes <paramref name="name"/>'s content; the replicator answers the sender with
    /// <see cref="UpdateSuccess"/> or a failure carrying <paramref name="context"/>.</summary>
    public void Write(string name, IReplicatedState state, object context, IActorRef sender)
    {
        var bytes = Wire.ToBytes(new ReplicatedObject(((SharedState)state).Kind, state.Snapshot()));
        replicator.Tell(Dsl.Update(Key, LWWDictionary<string, byte[]>.Empty, new WriteMajority(timeout), context,
            d => d.SetItem(self, name, bytes)), sender);
    }

    /// <summary>Asks for the whole copy; the answer (<see cref="GetSuccess"/>, <see cref="NotFound"/>,
    /// <see cref="GetFailure"/>) goes to <paramref name="sender"/>.</summary>
    public void Read(bool majority, IActorRef sender) =>
        replicator.Tell(Dsl.Get(Key, majority ? new ReadMajority(timeout) : ReadLocal.Instance), sender);

    /// <summary>The objects in a read's answer.</summary>
    public static IEnumerable<(string Name, SharedState State)> Objects(GetSuccess success) =>
        success.Get(Key).Entries.Select(e => (e.Key, Wire.FromBytes<ReplicatedObject>(e.Value).Restore()));
}
