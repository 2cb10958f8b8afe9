using Akka.Actor;

namespace PoolCluster.Manager;

/// <summary>
/// Loaded through <c>akka.extensions</c> (see reference.conf): on a cluster member with the manager role and
/// <c>poolcluster.manager.auto-start = on</c>, starts the manager singleton, so seeds and nodes host it without code.
/// </summary>
internal sealed class ManagerSingletonStarter : IExtension
{
    public ManagerSingletonStarter(ExtendedActorSystem system)
    {
        var settings = ManagerSettings.Create(system.Settings.Config);
        if (settings.AutoStart) ManagerSingleton.EnsureStarted(system, settings);
    }
}

/// <summary>Extension id of <see cref="ManagerSingletonStarter"/> (the type named in <c>akka.extensions</c>).</summary>
internal sealed class ManagerSingletonStarterProvider : ExtensionIdProvider<ManagerSingletonStarter>
{
    public override ManagerSingletonStarter CreateExtension(ExtendedActorSystem system) => new(system);
}
