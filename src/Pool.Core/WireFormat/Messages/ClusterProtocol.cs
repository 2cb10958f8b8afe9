using Akka.Actor;
using PoolCluster.Cluster;
using PoolCluster.Worker;

namespace PoolCluster.WireFormat.Messages;

// Messages between a client's PoolRouter and the node host of a worker node, and the node-side worker protocol.

/// <summary>Router → node host: give me workers. Re-sent until <see cref="Attached"/> arrives; idempotent.</summary>
internal sealed record AttachRouter(IActorRef Router, WorkerSettings Settings, AssemblyManifest Manifest) : IPoolProtocolMessage;

/// <summary>Node host → router: send me these assemblies of yours (by MVID) first.</summary>
internal sealed record NeedAssemblies(IReadOnlyList<Guid> Mvids) : IPoolProtocolMessage;

/// <summary>Router → node host: the requested assembly files.</summary>
internal sealed record AssemblyFiles(IReadOnlyList<ShippedAssembly> Files) : IPoolProtocolMessage;

/// <summary>One shipped assembly file.</summary>
internal sealed record ShippedAssembly(string FileName, Guid Mvid, byte[] Bytes) : IPoolProtocolMessage;

/// <summary>Node host → router: this many workers pull from you now (the pool's share of the node changes later).</summary>
internal sealed record Attached(int Workers) : IPoolProtocolMessage;

/// <summary>Worker → router: I am leaving; send me nothing more. These chunks I held never started: run them elsewhere.</summary>
internal sealed record WorkerDraining(IReadOnlyList<long> ReturnedTaskIds) : IPoolProtocolMessage;

/// <summary>Node host → worker: the router forgot your earlier requests (it saw you unreachable); ask again.</summary>
internal sealed record ResetDemand : IPoolProtocolMessage;

/// <summary>Whether a pool has work: chunks queued or running.</summary>
internal enum PoolActivity
{
    /// <summary>Nothing queued or running: the pool's processes may serve other pools.</summary>
    Idle,

    /// <summary>Chunks queued or running: the pool takes its fair share of each node.</summary>
    Working,
}

/// <summary>Router → node host: the pool's activity changed (Idle is reported after a short quiet spell).</summary>
internal sealed record PoolActivityChanged(PoolActivity Activity) : IPoolProtocolMessage;
