using System.Collections.Concurrent;
using Akka.Actor;

namespace PoolCluster.Manager;

/// <summary>
/// Managers hosted by this process, by the path their proxies carry. An <see cref="IActorRef"/> of a local actor can be
/// told from any actor system of the same process, so a standalone <see cref="WorkerPool"/>'s worker actors (in the
/// pool's own local ActorSystem) reach a <see cref="PoolManager"/> hosted in another local ActorSystem without remoting.
/// Keys are unique per manager (the actor name holds a GUID), so two managers in one process never answer for each
/// other; what a pool's relay uses for anything else is its own actor system.
/// </summary>
internal static class LocalManagers
{
    private static readonly ConcurrentDictionary<string, IActorRef> Managers = new(StringComparer.Ordinal);

    public static void Register(string path, IActorRef manager) => Managers[path] = manager;

    public static void Unregister(string path) => Managers.TryRemove(path, out _);

    public static bool TryGet(string path, out IActorRef manager) => Managers.TryGetValue(path, out manager!);
}
