namespace PoolCluster.Dashboard;

/// <summary>Who may use the dashboard's actions (cancel a job, drain a node). Viewing is always allowed.</summary>
public sealed class PoolDashboardOptions
{
    /// <summary>When set, every action must carry it (<c>Authorization: Bearer TOKEN</c>); the page asks for it.</summary>
    public string? Token { get; set; }

    /// <summary>
    /// Without a <see cref="Token"/>: true leaves the page read-only (the default when embedding, and for a member whose
    /// HTTP host is not loopback); false allows actions to anyone who can reach the page (a loopback-only member).
    /// </summary>
    public bool ActionsNeedToken { get; set; } = true;

    /// <summary>Why actions are refused when they are; shown on the page.</summary>
    internal string? ReadOnlyReason =>
        Token is { Length: > 0 } || !ActionsNeedToken ? null
        : "read-only: actions (cancel a job, drain a node) need a token here; start the member with --http-token " +
          "(or POOL_HTTP_TOKEN), or bind its HTTP host to 127.0.0.1";
}
