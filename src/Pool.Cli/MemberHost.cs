using System.Runtime.InteropServices;
using Akka.Actor;
using AkkaCluster = Akka.Cluster.Cluster;

namespace PoolCluster.Cli;

/// <summary>
/// Runs one cluster member until it leaves: starts the actor system, joins the seeds (or itself), prints membership
/// changes, and on Ctrl+C/SIGTERM runs CoordinatedShutdown (the node's drain task, then a graceful leave).
/// </summary>
internal static class MemberHost
{
    /// <summary>Exit code when the member stopped without being asked to (downed, removed, could not start).</summary>
    public const int Failed = 1;

    /// <summary>Runs the member; returns 0 after a requested, completed shutdown.</summary>
    /// <param name="programName">Program name for messages.</param>
    /// <param name="settings">Resolved settings.</param>
    /// <param name="start">Starts the program's own actors once the system exists (before it is up).</param>
    /// <param name="upLine">The line printed, exactly once, when this member is Up, given its address.</param>
    public static int Run(string programName, MemberSettings settings, Action<ActorSystem> start, Func<Address, string> upLine)
    {
        ActorSystem system;
        try { system = PoolCluster.Security.ClusterTls.CreateSystem(MemberSettings.SystemName, settings.Config, settings.Tls); }
        catch (Exception e)
        {
            Console.Error.WriteLine($"{programName}: error: could not start on {settings.Host}:{settings.Port}: {Innermost(e).Message}");
            return Failed;
        }

        var cluster = AkkaCluster.Get(system);
        var shutdown = CoordinatedShutdown.Get(system);
        var requested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true; // this program shuts down itself, then returns from Main with exit code 0
            if (!requested.TrySetResult()) return;
            Console.WriteLine($"{DateTime.Now:HH:mm:ss} {programName}: {context.Signal}: leaving the cluster gracefully");
            _ = shutdown.Run(CoordinatedShutdown.ClrExitReason.Instance);
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

        Microsoft.AspNetCore.Builder.WebApplication? web = null;
        try
        {
            system.ActorOf(MemberEventLogger.Props(programName), "poolcluster-member-events");
            start(system);
            PoolCluster.Status.StatusRegistry.Get(system); // publishes this member's snapshot for the dashboard
            if (settings.Http is { } http) web = StartHttp(programName, system, http);
            cluster.RegisterOnMemberUp(() => Console.WriteLine(upLine(cluster.SelfAddress)));
            if (settings.JoinSelf)
            {
                Console.WriteLine($"{programName}: bound to {cluster.SelfAddress}, no seeds given: forming a new cluster with itself");
                cluster.Join(cluster.SelfAddress);
            }
            else
            {
                Console.WriteLine($"{programName}: bound to {cluster.SelfAddress}, joining {string.Join(", ", settings.Seeds)}");
            }
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"{programName}: error: {Innermost(e).Message}");
            system.Terminate().Wait(TimeSpan.FromSeconds(10));
            return Failed;
        }
        using var stopWeb = new StopWeb(web);

        if (!settings.JoinSelf && PoolCluster.Cluster.JoinWatch.AwaitUp(system, settings.JoinTimeout, settings.Tls is not null, requested.Task) is { } reason)
        {
            // One line, then out: retrying forever with Akka's repeating warnings helps nobody (issue 14).
            Console.Error.WriteLine($"{programName}: error: could not join {string.Join(", ", settings.Seeds)} within {settings.JoinTimeout.TotalSeconds:0.#} s: {reason}");
            system.Terminate().Wait(TimeSpan.FromSeconds(10));
            return Failed;
        }
        Task.WaitAny(system.WhenTerminated, requested.Task);
        // A drain asked for on the dashboard is a requested leave, as SIGTERM is.
        if (shutdown.ShutdownReason is PoolCluster.Status.DashboardDrainReason && requested.TrySetResult())
            Console.WriteLine($"{DateTime.Now:HH:mm:ss} {programName}: drain requested on the dashboard: leaving the cluster gracefully");
        if (!requested.Task.IsCompleted)
        {
            Console.Error.WriteLine($"{programName}: stopped without being asked to ({shutdown.ShutdownReason?.GetType().Name ?? "actor system terminated"}), " +
                                    "for instance downed by the split brain resolver");
            return Failed;
        }
        // CoordinatedShutdown bounds each phase; this bounds the whole in case a phase hangs regardless.
        var bound = shutdown.TotalTimeout + TimeSpan.FromSeconds(10);
        if (!system.WhenTerminated.Wait(bound))
        {
            Console.Error.WriteLine($"{programName}: error: shutdown did not finish within {bound.TotalSeconds:0} s");
            return Failed;
        }
        Console.WriteLine($"{DateTime.Now:HH:mm:ss} {programName}: left the cluster, exiting");
        return 0;
    }

    private static Microsoft.AspNetCore.Builder.WebApplication StartHttp(string programName, ActorSystem system, PoolCluster.Dashboard.MemberHttpOptions http)
    {
        try
        {
            var (app, url) = PoolCluster.Dashboard.MemberWebHost.StartAsync(system, http).GetAwaiter().GetResult();
            var what = http.Dashboard ? "dashboard" : "http";
            Console.WriteLine($"{programName} {what} at {url} (metrics at {url}metrics, health at {url}health/ready)");
            if (http.Dashboard && http.Token is null && !PoolCluster.Dashboard.MemberWebHost.IsLoopback(http.Host))
                Console.WriteLine($"{programName}: the dashboard is read-only: its host {http.Host} is not loopback and no --http-token was given");
            return app;
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"could not serve HTTP on {http.Host}:{http.Port} (--http-port, 0 turns it off): {Innermost(e).Message}", e);
        }
    }

    /// <summary>Stops the HTTP host when the member ends.</summary>
    private sealed class StopWeb(Microsoft.AspNetCore.Builder.WebApplication? app) : IDisposable
    {
        public void Dispose()
        {
            if (app is null) return;
            try { app.StopAsync().Wait(TimeSpan.FromSeconds(5)); app.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(5)); }
            catch (Exception) { /* the process is exiting */ }
        }
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }
}
