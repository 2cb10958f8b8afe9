using Akka;
using Akka.Actor;
using Akka.Event;
using PoolCluster.Protocol;
using PoolCluster.Worker;

namespace PoolCluster.Cluster;

/// <summary>
/// Lives on every worker node at <c>/user/poolcluster-node</c>. Each client router that attaches gets its own
/// <c>processes</c> workers (each supervising a child process) that pull from that router; they stop when the router
/// goes away. Ships missing client assemblies into the node's cache before the workers start.
/// </summary>
internal sealed class NodeWorkerHost : ReceiveActor
{
    /// <summary>Asks the host to drain: workers stop taking work, hand back what never started, finish the rest.</summary>
    internal sealed record Drain;

    private readonly int _processes;
    private readonly AssemblyCache _cache;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<IActorRef, List<IActorRef>> _workersByRouter = new();
    private readonly Dictionary<IActorRef, AttachRouter> _waitingForAssemblies = new();
    private bool _draining;
    private IActorRef? _drainRequester;

    public NodeWorkerHost(int processes, string assemblyCache)
    {
        _processes = processes;
        _cache = new AssemblyCache(assemblyCache);

        Receive<AttachRouter>(OnAttach);
        Receive<AssemblyFiles>(OnAssemblies);
        Receive<Terminated>(OnTerminated);
        Receive<Drain>(_ => StartDrain());
    }

    public static Props Props(int processes, string assemblyCache) =>
        Akka.Actor.Props.Create(() => new NodeWorkerHost(processes, assemblyCache));

    // A failing worker is stopped; its router sees it terminate and re-dispatches its work.
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    private void OnAttach(AttachRouter attach)
    {
        if (_draining) return;
        if (_workersByRouter.TryGetValue(attach.Router, out var existing))
        {
            // A re-attach after the router saw this node unreachable: its earlier demand was forgotten.
            foreach (var w in existing) w.Tell(new ResetDemand());
            attach.Router.Tell(new Attached(existing.Count));
            return;
        }
        var (missing, conflicts) = _cache.Compare(attach.Manifest);
        if (conflicts.Count > 0)
            _log.Warning("Client {0} uses other builds of assemblies this node has itself: {1}. Children run this node's copies; " +
                         "a function defined in one of them fails with a clear build-mismatch error.", attach.Router.Path.Address, string.Join(", ", conflicts));
        if (missing.Count > 0)
        {
            if (_waitingForAssemblies.TryAdd(attach.Router, attach))
                attach.Router.Tell(new NeedAssemblies(missing.Select(m => m.Mvid).ToList()));
            return;
        }
        StartWorkers(attach);
    }

    private void OnAssemblies(AssemblyFiles files)
    {
        if (!_waitingForAssemblies.Remove(Sender, out var attach)) return;
        try
        {
            foreach (var f in files.Files) _cache.Store(f.FileName, f.Mvid, f.Bytes);
        }
        catch (Exception e)
        {
            _log.Error(e, "Could not store assemblies shipped by {0}", Sender.Path.Address);
            return;
        }
        StartWorkers(attach);
    }

    private void StartWorkers(AttachRouter attach)
    {
        var settings = attach.Settings with { ShippedAssemblyPaths = _cache.PathsFor(attach.Manifest) };
        var workers = new List<IActorRef>();
        for (var i = 0; i < _processes; i++)
        {
            var worker = Context.ActorOf(WorkerActor.Props(attach.Router, settings));
            Context.Watch(worker);
            workers.Add(worker);
        }
        _workersByRouter[attach.Router] = workers;
        Context.Watch(attach.Router);
        attach.Router.Tell(new Attached(workers.Count));
        _log.Info("Started {0} workers for the pool router {1}", workers.Count, attach.Router.Path);
    }

    private void OnTerminated(Terminated t)
    {
        if (_workersByRouter.Remove(t.ActorRef, out var workers))
        {
            _log.Info("Pool router {0} is gone; stopping its {1} workers", t.ActorRef.Path, workers.Count);
            foreach (var w in workers) Context.Stop(w);
        }
        else
        {
            foreach (var list in _workersByRouter.Values) list.Remove(t.ActorRef);
        }
        _waitingForAssemblies.Remove(t.ActorRef);
        CompleteDrainIfDone();
    }

    private void StartDrain()
    {
        _draining = true;
        _drainRequester = Sender;
        foreach (var w in _workersByRouter.Values.SelectMany(x => x)) w.Tell(new StopWorker(Graceful: true));
        CompleteDrainIfDone();
    }

    private void CompleteDrainIfDone()
    {
        if (!_draining || _workersByRouter.Values.Any(l => l.Count > 0)) return;
        _drainRequester?.Tell(Done.Instance);
        _drainRequester = null;
    }
}
