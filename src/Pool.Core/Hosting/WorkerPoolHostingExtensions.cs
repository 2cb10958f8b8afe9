using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace PoolCluster.Hosting;

/// <summary>
/// Embeds a PoolCluster <see cref="WorkerPool"/> in an Akka.Hosting application:
/// <code>
/// services.AddAkka("pool", builder => builder
///         .WithClustering(...)                       // optional: the pool then uses the cluster's worker nodes
///         .WithWorkerPool(o => o.Processes = 4))
///     .AddWorkerPool();                              // WorkerPool and IRequiredWorkerPool become injectable
/// </code>
/// </summary>
/// <remarks>
/// Two calls, because of how Akka.Hosting works: the <c>AddAkka</c> builder delegate runs only when the service
/// provider first builds the actor system, after the service collection is sealed, so <c>WithWorkerPool</c> can
/// configure Akka but cannot register services. Akka.Hosting itself makes actors injectable the same way: a
/// registration made once on the <see cref="IServiceCollection"/> (<c>IRequiredActor&lt;T&gt;</c>) that looks up what
/// the actor system's startup created.
/// </remarks>
public static class WorkerPoolHostingExtensions
{
    /// <summary>
    /// Runs a <see cref="WorkerPool"/> in this actor system: adds PoolCluster's HOCON defaults (pool settings and the
    /// Hyperion serializer binding) as a fallback, creates the pool with <see cref="WorkerPool.Create"/> when the
    /// system starts (cluster-wide when the system is a cluster member), optionally makes this member a worker node
    /// (<see cref="WorkerPoolHostingOptions.ServeAsWorkerNode"/>), and terminates the pool in the first
    /// CoordinatedShutdown phase when the host stops, so its child processes are gone before the actor system is.
    /// Call <see cref="AddWorkerPool"/> on the service collection to inject the pool. A second call replaces the
    /// options of the first; there is one hosted pool per actor system.
    /// </summary>
    /// <param name="builder">The Akka.Hosting builder.</param>
    /// <param name="options">Pool options; only what is set overrides HOCON and the defaults.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static AkkaConfigurationBuilder WithWorkerPool(this AkkaConfigurationBuilder builder, WorkerPoolHostingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var snapshot = options?.Copy() ?? new WorkerPoolHostingOptions();
        snapshot.Validate();

        builder.AddHocon(PoolClusterConfig.DefaultConfig(), HoconAddMode.Append);
        builder.AddHocon(HostingDefaults, HoconAddMode.Append);
        // Setups is a set; remove an earlier call's options so that the last call wins deterministically.
        builder.Setups.RemoveWhere(s => s is WorkerPoolHostingSetup);
        builder.AddSetup(new WorkerPoolHostingSetup(snapshot));
        builder.AddStartup((system, _) => HostedWorkerPool.Get(system).Start());
        return builder;
    }

    /// <summary>Like <see cref="WithWorkerPool(AkkaConfigurationBuilder, WorkerPoolHostingOptions?)"/>, with the options
    /// filled in by <paramref name="configure"/>, e.g. <c>builder.WithWorkerPool(o =&gt; o.Processes = 4)</c>.</summary>
    /// <param name="builder">The Akka.Hosting builder.</param>
    /// <param name="configure">Sets the options to override.</param>
    /// <returns>The same builder.</returns>
    public static AkkaConfigurationBuilder WithWorkerPool(this AkkaConfigurationBuilder builder, Action<WorkerPoolHostingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new WorkerPoolHostingOptions();
        configure(options);
        return builder.WithWorkerPool(options);
    }

    /// <summary>
    /// Makes the pool that <see cref="WithWorkerPool(AkkaConfigurationBuilder, WorkerPoolHostingOptions?)"/> runs
    /// injectable: <see cref="IRequiredWorkerPool"/> (safe in any constructor; <c>await GetAsync()</c> before the host
    /// has started) and <see cref="WorkerPool"/> itself (resolve it once the host has started — it waits at most
    /// 30 s for the pool). Both are singletons that look the pool up in the actor system registered by <c>AddAkka</c>;
    /// the host's shutdown, not the container, ends the pool (disposing it again is harmless). Calling this more
    /// than once registers nothing twice.
    /// </summary>
    /// <param name="services">The service collection that <c>AddAkka</c> registered the actor system in.</param>
    /// <returns>The same service collection.</returns>
    public static IServiceCollection AddWorkerPool(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<IRequiredWorkerPool, RequiredWorkerPool>();
        services.TryAddSingleton(sp => sp.GetRequiredService<IRequiredWorkerPool>().Pool);
        return services;
    }

    // Terminating the pool waits up to child-shutdown-timeout (5 s) + 5 s; Akka's default phase timeout is 5 s.
    // Appended, so an application's own setting wins.
    private static readonly Config HostingDefaults = ConfigurationFactory.ParseString(
        "akka.coordinated-shutdown.phases.before-service-unbind.timeout = 15s");
}
