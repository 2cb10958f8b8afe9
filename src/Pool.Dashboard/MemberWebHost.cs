using System.Net;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using PoolCluster.Metrics;

namespace PoolCluster.Dashboard;

/// <summary>What a member's HTTP host serves and where.</summary>
/// <param name="Host">IP address to bind (or <c>localhost</c>); actions need a token unless it is loopback.</param>
/// <param name="Port">TCP port; 0 picks a free one.</param>
/// <param name="Token">The token actions must carry, if any.</param>
/// <param name="Dashboard">Serve the dashboard at <c>/</c> (the seed).</param>
/// <param name="WorkerNode">Readiness also requires that children can start (a worker node).</param>
internal sealed record MemberHttpOptions(string Host, int Port, string? Token, bool Dashboard, bool WorkerNode);

/// <summary>
/// The HTTP side of Pool.Seed and Pool.Node: <c>/metrics</c> (Prometheus text through OpenTelemetry's exporter, meter
/// <c>PoolCluster</c>), <c>/health/live</c>, <c>/health/ready</c> and, on the seed, the dashboard at <c>/</c>.
/// </summary>
internal static class MemberWebHost
{
    /// <summary>Starts listening; returns the app (stop it when the member stops) and the address it listens on.</summary>
    public static async Task<(WebApplication App, string Url)> StartAsync(ActorSystem system, MemberHttpOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            if (options.Host is "localhost") k.ListenLocalhost(options.Port);
            else k.Listen(IPAddress.Parse(options.Host), options.Port);
        });
        builder.Services.AddOpenTelemetry().WithMetrics(m => m.AddMeter(PoolMetrics.MeterName).AddPrometheusExporter());
        var health = builder.Services.AddHealthChecks()
            .AddCheck("process", () => Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy("the process answers"), ["live"])
            .AddTypeActivatedCheck<MemberUpCheck>("member-up", null, ["ready"], system);
        if (options.WorkerNode) health.AddTypeActivatedCheck<ChildrenCanStartCheck>("children-can-start", null, ["ready"], system);
        if (options.Dashboard)
            builder.Services.AddPoolClusterDashboard(system, o =>
            {
                o.Token = options.Token;
                o.ActionsNeedToken = !IsLoopback(options.Host);
            });

        var app = builder.Build();
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = c => c.Tags.Contains("live") });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
        if (options.Dashboard) app.MapPoolClusterDashboard();
        await app.StartAsync().ConfigureAwait(false);

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        var port = bound is not null && Uri.TryCreate(bound.Replace("[::]", "localhost").Replace("0.0.0.0", "localhost"), UriKind.Absolute, out var uri) ? uri.Port : options.Port;
        var shownHost = options.Host is "0.0.0.0" or "::" ? Dns.GetHostName() : options.Host.Contains(':') ? $"[{options.Host}]" : options.Host;
        return (app, $"http://{shownHost}:{port}/");
    }

    /// <summary>True for 127.0.0.0/8, ::1 and <c>localhost</c>.</summary>
    public static bool IsLoopback(string host) =>
        host is "localhost" || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
}
