using Akka.Actor;
using PoolCluster.WireFormat.Functions;
using PoolCluster.WireFormat.Messages;
using PoolCluster.WireFormat.Values;

namespace PoolCluster.Manager;

/// <summary>
/// The parent side of the children's shared-object calls, one per worker actor: it forwards a child's opaque call to
/// the manager it names, through the worker's own actor system (so a pool reaches its own cluster's manager), and
/// turns the answer, or its absence, into the reply bytes for the child. It remembers which managers each child
/// called, to tell them when the child is gone so its locks are released. Used on the worker's thread only.
/// </summary>
internal sealed class ManagerRelay(ActorSystem system, string workerPath)
{
    private readonly Dictionary<int, HashSet<ManagerAddress>> _calledBy = [];

    /// <summary>Forwards <paramref name="call"/> from child <paramref name="childPid"/>; the task never fails (an
    /// unanswered call becomes a <see cref="ManagerUnavailableException"/> reply). Null: the call is malformed.</summary>
    public Task<byte[]>? Forward(int childPid, byte[] call, TimeSpan timeout)
    {
        ManagerEnvelope envelope;
        try { envelope = Wire.FromBytes<ManagerEnvelope>(call); }
        catch (Exception) { return null; }
        if (!_calledBy.TryGetValue(childPid, out var managers)) _calledBy[childPid] = managers = [];
        managers.Add(envelope.Manager);
        // The manager watches this worker, so locks held through it are released if this node dies.
        return ManagerResolver.Get(system).Resolve(envelope.Manager)
            .Ask<ManagerResult>(new ManagerRequestMessage(envelope.Call, workerPath), timeout)
            .ContinueWith(t => t.IsCompletedSuccessfully
                ? t.Result.Reply
                : Wire.ToBytes(new ManagerReply(null, ErrorInfo.From(new ManagerUnavailableException(
                    $"The manager ({envelope.Manager}) did not answer within {timeout.TotalSeconds:0.#} s", t.Exception?.GetBaseException())))),
                TaskScheduler.Default);
    }

    /// <summary>Child <paramref name="childPid"/> is gone: the managers it called release what it held.</summary>
    public void ChildGone(int childPid)
    {
        if (!_calledBy.Remove(childPid, out var managers)) return;
        foreach (var manager in managers)
            ManagerResolver.Get(system).Resolve(manager).Tell(new HolderGone(PipeHolder.For(childPid)), ActorRefs.NoSender);
    }
}
