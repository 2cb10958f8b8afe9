using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using PoolCluster.Router;
using PoolCluster.Status;
using PoolCluster.WireFormat.Messages;

namespace PoolCluster.Dashboard;

/// <summary>
/// Mounts the dashboard in an ASP.NET Core app, as Hangfire's <c>UseHangfireDashboard</c> does:
/// <code>
/// builder.Services.AddPoolClusterDashboard(pool.System);
/// app.MapPoolClusterDashboard("/pool");
/// </code>
/// The page (<c>{prefix}/</c>) polls <c>{prefix}/api/cluster</c> and <c>{prefix}/api/jobs</c> once a second.
/// Actions: <c>POST {prefix}/api/jobs/cancel?router=PATH&amp;job=ID</c> and <c>POST {prefix}/api/nodes/drain?address=ADDRESS</c>.
/// </summary>
public static class DashboardEndpoints
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Registers the dashboard for <paramref name="system"/> (a cluster member, or the system of an embedded pool).</summary>
    public static IServiceCollection AddPoolClusterDashboard(this IServiceCollection services, ActorSystem system, Action<PoolDashboardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        var options = new PoolDashboardOptions();
        configure?.Invoke(options);
        services.AddSingleton(options);
        services.AddSingleton(new DashboardState(system));
        return services;
    }

    /// <summary>Maps the page and its API under <paramref name="prefix"/> ("" or "/" for the root).</summary>
    public static IEndpointRouteBuilder MapPoolClusterDashboard(this IEndpointRouteBuilder endpoints, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.ServiceProvider.GetService<DashboardState>() is null)
            throw new InvalidOperationException("Call services.AddPoolClusterDashboard(actorSystem) before app.MapPoolClusterDashboard().");
        var group = endpoints.MapGroup(prefix.TrimEnd('/'));
        group.MapGet("/", (HttpContext http) =>
        {
            // Relative links: the page works under any prefix only if its own address ends with '/'.
            if (!http.Request.Path.Value!.EndsWith('/')) return Results.Redirect(http.Request.PathBase + http.Request.Path + "/");
            return Results.Text(Resource("index.html"), "text/html; charset=utf-8");
        });
        group.MapGet("/dashboard.js", () => Results.Text(Resource("dashboard.js"), "text/javascript; charset=utf-8"));
        group.MapGet("/dashboard.css", () => Results.Text(Resource("dashboard.css"), "text/css; charset=utf-8"));
        group.MapGet("/api/cluster", async (DashboardState state) => Results.Json(await state.Collector.Ask<ClusterView>(new DashboardCollector.GetCluster(), AskTimeout)));
        group.MapGet("/api/jobs", async (DashboardState state) => Results.Json(await state.Collector.Ask<JobsView>(new DashboardCollector.GetJobs(), AskTimeout)));
        group.MapGet("/api/config", (PoolDashboardOptions o) => Results.Json(new DashboardConfigView(
            o.Token is { Length: > 0 } ? "token" : o.ActionsNeedToken ? "read-only" : "enabled", o.ReadOnlyReason)));
        group.MapPost("/api/jobs/cancel", CancelJob);
        group.MapPost("/api/nodes/drain", DrainNode);
        return endpoints;
    }

    private static async Task<IResult> CancelJob(HttpContext http, DashboardState state, PoolDashboardOptions options, string? router, long? job)
    {
        if (Refuse(http, options) is { } refused) return refused;
        if (string.IsNullOrWhiteSpace(router) || job is null)
            return Results.BadRequest(new { error = "give the job's pool and id: POST api/jobs/cancel?router=ROUTER_PATH&job=JOB_ID (both as listed by GET api/jobs)" });
        var jobs = await state.Collector.Ask<JobsView>(new DashboardCollector.GetJobs(), AskTimeout);
        var pool = jobs.Pools.FirstOrDefault(p => p.Router == router);
        if (pool is null || pool.Jobs.All(j => j.JobId != job))
            return Results.NotFound(new { error = $"no job {job} in pool '{router}'; GET api/jobs lists the pools and jobs" });
        state.System.ActorSelection(router).Tell(new CancelJob(job.Value));
        return Results.Accepted(value: new { cancelled = job, router });
    }

    private static async Task<IResult> DrainNode(HttpContext http, DashboardState state, PoolDashboardOptions options, string? address)
    {
        if (Refuse(http, options) is { } refused) return refused;
        if (string.IsNullOrWhiteSpace(address))
            return Results.BadRequest(new { error = "give the member: POST api/nodes/drain?address=akka.tcp://pool@HOST:PORT (as listed by GET api/cluster)" });
        var cluster = await state.Collector.Ask<ClusterView>(new DashboardCollector.GetCluster(), AskTimeout);
        if (cluster.Members.All(m => m.Address != address))
            return Results.NotFound(new { error = $"no member '{address}'; GET api/cluster lists the members" });
        state.System.ActorSelection($"{address}/system/{StatusRegistry.ReporterName}").Tell(new DrainMember());
        return Results.Accepted(value: new { draining = address });
    }

    /// <summary>401 unless the request may act: the right token, or no token needed here.</summary>
    private static IResult? Refuse(HttpContext http, PoolDashboardOptions options)
    {
        if (options.Token is { Length: > 0 } token)
        {
            var header = http.Request.Headers.Authorization.ToString();
            var given = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : "";
            if (CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(token))) return null;
            return Results.Json(new { error = "this action needs the dashboard token: send 'Authorization: Bearer TOKEN' (the token given with --http-token / POOL_HTTP_TOKEN)" },
                statusCode: StatusCodes.Status401Unauthorized);
        }
        return options.ActionsNeedToken
            ? Results.Json(new { error = options.ReadOnlyReason }, statusCode: StatusCodes.Status401Unauthorized)
            : null;
    }

    private static string Resource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("PoolCluster.Dashboard." + name)
                           ?? throw new InvalidOperationException($"dashboard resource {name} is missing from Pool.Dashboard.dll");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

/// <summary>The actor system and its dashboard collector, one per app.</summary>
internal sealed class DashboardState(ActorSystem system)
{
    public ActorSystem System { get; } = system;

    public IActorRef Collector { get; } = system.ActorOf(DashboardCollector.Props(), $"poolcluster-dashboard-{Guid.NewGuid():N}");
}
