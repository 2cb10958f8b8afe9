using Akka.Actor;
using Akka.Cluster;
using AkkaCluster = Akka.Cluster.Cluster;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using PoolCluster.Worker.ChildProcess;

namespace PoolCluster.Dashboard;

/// <summary>Ready: this process is a cluster member with status Up (not joining, not leaving).</summary>
internal sealed class MemberUpCheck(ActorSystem system) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (system.WhenTerminated.IsCompleted) return Task.FromResult(HealthCheckResult.Unhealthy("the actor system has stopped"));
        var self = AkkaCluster.Get(system).SelfMember;
        return Task.FromResult(self.Status == MemberStatus.Up
            ? HealthCheckResult.Healthy($"{self.Address} is Up")
            : HealthCheckResult.Unhealthy($"{self.Address} is {self.Status}, not Up (not joined yet, or leaving)"));
    }
}

/// <summary>Ready, for a worker node: it is not draining and its children can start (the child host is on disk).</summary>
internal sealed class ChildrenCanStartCheck(ActorSystem system) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (CoordinatedShutdown.Get(system).ShutdownReason is not null)
            return Task.FromResult(HealthCheckResult.Unhealthy("draining: the node takes no new work"));
        return Task.FromResult(ChildLauncher.CanStart() is { } problem
            ? HealthCheckResult.Unhealthy(problem)
            : HealthCheckResult.Healthy("children can start"));
    }
}
