using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;

namespace PoolCluster.Hosting;

/// <summary>
/// The hosted <see cref="WorkerPool"/> as a dependency, in the manner of Akka.Hosting's <c>IRequiredActor&lt;T&gt;</c>:
/// safe to inject anywhere, including constructors that run before the host has started Akka; the pool itself is
/// fetched when asked for. Registered by <see cref="WorkerPoolHostingExtensions.AddWorkerPool"/>.
/// </summary>
public interface IRequiredWorkerPool
{
    /// <summary>
    /// The pool, waiting (at most 30 s) for the host to start it. Use <see cref="GetAsync"/> where the host may not
    /// have started yet, e.g. in a hosted service's constructor.
    /// </summary>
    /// <exception cref="InvalidOperationException">No pool was configured with <c>WithWorkerPool</c>, or starting it failed.</exception>
    /// <exception cref="TimeoutException">The host did not start the pool within 30 s.</exception>
    WorkerPool Pool { get; }

    /// <summary>Completes with the pool once the host has started it.</summary>
    /// <exception cref="InvalidOperationException">No pool was configured with <c>WithWorkerPool</c>, or starting it failed.</exception>
    Task<WorkerPool> GetAsync(CancellationToken cancellationToken = default);
}

/// <summary>Resolves the <see cref="ActorSystem"/> lazily, so that constructing this never boots Akka early.</summary>
internal sealed class RequiredWorkerPool(IServiceProvider services) : IRequiredWorkerPool
{
    internal static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private WorkerPool? _pool;

    public WorkerPool Pool
    {
        get
        {
            if (_pool is { } pool) return pool;
            var task = GetAsync();
            try
            {
                return _pool = task.WaitAsync(StartTimeout).GetAwaiter().GetResult();
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"The WorkerPool was not started within {StartTimeout.TotalSeconds:0} s. " +
                    "It starts with the host (AkkaHostedService); a service resolved before that should take IRequiredWorkerPool and await GetAsync().");
            }
        }
    }

    public Task<WorkerPool> GetAsync(CancellationToken cancellationToken = default)
    {
        if (_pool is { } pool) return Task.FromResult(pool);
        var system = services.GetService<ActorSystem>() ?? throw new InvalidOperationException(
            "No ActorSystem is registered: call services.AddAkka(name, builder => builder.WithWorkerPool(...))");
        var hosted = HostedWorkerPool.Get(system);
        if (!hosted.IsConfigured)
            throw new InvalidOperationException(
                $"The actor system '{system.Name}' has no WorkerPool: add .WithWorkerPool(...) to its AddAkka(...) builder");
        return hosted.Pool.WaitAsync(cancellationToken);
    }
}
