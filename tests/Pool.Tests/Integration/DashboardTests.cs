using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using PoolCluster.Child;
using PoolCluster.Tests.Cluster;
using PoolCluster.Worker.ChildProcess;

namespace PoolCluster.Tests.Integration;

/// <summary>Issue 12: the seed's dashboard API, the members' metrics and health, and the dashboard's actions, with a
/// real seed, two real nodes and a client.</summary>
public sealed partial class DashboardTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(15) };
    private ClusterProcesses? _cluster;

    public void Dispose()
    {
        _cluster?.Dispose();
        _http.Dispose();
    }

    [Fact]
    public void Api_lists_both_nodes_with_their_real_child_pids_and_the_jobs_progress_and_metrics_grow()
    {
        _cluster = new ClusterProcesses();
        var nodeA = _cluster.StartNodeWithHttp(2);
        var nodeB = _cluster.StartNodeWithHttp(2);
        using var pool = _cluster.Connect();
        InProcessCluster.WaitFor(() => pool.Processes == 4, Patience, "both nodes' workers");
        var job = pool.MapAsync(DashboardFunctions.SlowSquare, Enumerable.Range(0, 120), chunkSize: 1);

        // /api/cluster: both nodes, each with two running children whose pids are real children of that node's process.
        var nodes = WaitForJson(_cluster.SeedHttp + "api/cluster", doc =>
        {
            var workers = doc.RootElement.GetProperty("members").EnumerateArray()
                .Where(m => m.GetProperty("roles").EnumerateArray().Any(r => r.GetString() == "worker")).ToList();
            return workers.Count == 2 && workers.All(w => w.GetProperty("children").EnumerateArray().Count(c => c.GetProperty("state").GetString() == "running") == 2);
        }, "both nodes listed with two running children each");
        var childrenByParent = nodes.RootElement.GetProperty("members").EnumerateArray()
            .SelectMany(m => m.GetProperty("children").EnumerateArray().Select(c => c.GetProperty("pid").GetInt32()))
            .GroupBy(pid => ParentWatch.ParentOf(pid.ToString()))
            .ToDictionary(g => g.Key ?? -1, g => g.Count());
        Assert.Equal(2, childrenByParent.GetValueOrDefault(nodeA.Pid));
        Assert.Equal(2, childrenByParent.GetValueOrDefault(nodeB.Pid));
        // Which item each runs, as the child's status board says, and for which pool.
        var withItem = WaitForJson(_cluster.SeedHttp + "api/cluster", doc => Children(doc).Any(c => c.GetProperty("running").GetString() is { } r && ItemRunning().IsMatch(r)),
            "a child showing the item it runs");
        var running = Children(withItem).First(c => c.GetProperty("running").GetString() is { } r && ItemRunning().IsMatch(r));
        Assert.True(running.GetProperty("runningSeconds").GetDouble() is >= 0 and < 30);
        Assert.Matches(@"^akka\.tcp://pool@127\.0\.0\.1:\d+/user/pool-router-\d+$", running.GetProperty("pool").GetString());

        // /api/jobs: the map job of 120 items, its done count growing.
        var first = JobDone(WaitForJob(j => j.GetProperty("done").GetInt64() > 0));
        var later = JobDone(WaitForJob(j => j.GetProperty("done").GetInt64() > first + 4));
        Assert.True(later > first);

        // /metrics on a node: the task counter grows while the job runs.
        var countedFirst = MetricsCompleted(nodeA.Http!) + MetricsCompleted(nodeB.Http!);
        InProcessCluster.WaitFor(() => MetricsCompleted(nodeA.Http!) + MetricsCompleted(nodeB.Http!) > countedFirst + 4, Patience, "poolcluster.tasks.completed to grow");
        var text = Get(nodeA.Http! + "metrics").Body;
        Assert.Contains("poolcluster_task_duration_seconds_bucket", text);
        Assert.Contains("poolcluster_child_starts_total", text);

        Assert.Equal(Enumerable.Range(0, 120).Select(i => i * i), job.Get(Patience));
        var done = WaitForJob(j => j.GetProperty("finished").GetBoolean());
        Assert.Equal(120, done.GetProperty("done").GetInt64());
        Assert.Equal(120, done.GetProperty("total").GetInt64());
    }

    [Fact]
    public void Ready_is_503_before_a_node_joined_and_200_once_members_are_Up()
    {
        _cluster = new ClusterProcesses();
        var lonely = _cluster.StartNodeWithHttpNoWait(1, ClusterProcesses.UnreachableSeed());
        var notJoined = Get(lonely.Http! + "health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notJoined.Status);
        Assert.Equal(HttpStatusCode.OK, Get(lonely.Http! + "health/live").Status);

        Assert.Equal(HttpStatusCode.OK, Get(_cluster.SeedHttp + "health/ready").Status);
        var node = _cluster.StartNodeWithHttp(1);
        InProcessCluster.WaitFor(() => Get(node.Http! + "health/ready").Status == HttpStatusCode.OK, Patience, "the joined node to be ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, Get(lonely.Http! + "health/ready").Status);
    }

    [Fact]
    public void Cancel_from_the_dashboard_ends_the_callers_Map_with_OperationCanceledException()
    {
        _cluster = new ClusterProcesses();
        _cluster.StartNodeWithHttp(2);
        using var pool = _cluster.Connect();
        InProcessCluster.WaitFor(() => pool.Processes == 2, Patience, "the node's workers");
        var job = pool.MapAsync(DashboardFunctions.SlowSquare, Enumerable.Range(0, 400), chunkSize: 1);
        var listed = WaitForJob(j => j.GetProperty("done").GetInt64() > 2);
        var (router, jobId) = (listed.GetProperty("router").GetString()!, listed.GetProperty("jobId").GetInt64());

        var response = Post($"{_cluster.SeedHttp}api/jobs/cancel?router={Uri.EscapeDataString(router)}&job={jobId}");
        Assert.Equal(HttpStatusCode.Accepted, response.Status);

        var error = Assert.Throws<OperationCanceledException>(() => job.Get(Patience));
        Assert.Contains($"Job {jobId} was cancelled", error.Message);
        var after = WaitForJob(j => j.GetProperty("cancelled").GetBoolean() && j.GetProperty("finished").GetBoolean());
        Assert.True(after.GetProperty("done").GetInt64() < 400);
    }

    [Fact]
    public void An_action_without_the_token_on_a_non_loopback_host_is_refused_with_401_and_changes_nothing()
    {
        _cluster = new ClusterProcesses(true, "--http-host", "0.0.0.0", "--http-token", "s3cret");
        var node = _cluster.StartNodeWithHttp(2);
        using var pool = _cluster.Connect();
        InProcessCluster.WaitFor(() => pool.Processes == 2, Patience, "the node's workers");
        var job = pool.MapAsync(DashboardFunctions.SlowSquare, Enumerable.Range(0, 40), chunkSize: 1);
        var listed = WaitForJob(j => j.GetProperty("done").GetInt64() > 0);
        var query = $"?router={Uri.EscapeDataString(listed.GetProperty("router").GetString()!)}&job={listed.GetProperty("jobId").GetInt64()}";

        Assert.Equal(HttpStatusCode.Unauthorized, Post(_cluster.SeedHttp + "api/jobs/cancel" + query).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, Post(_cluster.SeedHttp + "api/jobs/cancel" + query, token: "wrong").Status);
        var nodeAddress = node.UpAddress;
        Assert.Equal(HttpStatusCode.Unauthorized, Post($"{_cluster.SeedHttp}api/nodes/drain?address={Uri.EscapeDataString(nodeAddress)}").Status);

        // Nothing changed: the job runs to its end and the node is still a member.
        Assert.Equal(Enumerable.Range(0, 40).Select(i => i * i), job.Get(Patience));
        Assert.False(node.Process.HasExited);
        Assert.Equal("token", Json(_cluster.SeedHttp + "api/config").RootElement.GetProperty("actions").GetString());
    }

    [Fact]
    public void Drain_from_the_dashboard_makes_the_node_leave_gracefully_as_SIGTERM_does()
    {
        _cluster = new ClusterProcesses();
        var node = _cluster.StartNodeWithHttp(1);
        var address = node.UpAddress;

        Assert.Equal(HttpStatusCode.Accepted, Post($"{_cluster.SeedHttp}api/nodes/drain?address={Uri.EscapeDataString(address)}").Status);

        Assert.True(node.Process.WaitForExit(60_000), "the drained node did not exit within 60 s:\n" + node.Output);
        Assert.Equal(0, node.Process.ExitCode);
        Assert.Contains(node.Lines, l => l.Contains("drain requested on the dashboard", StringComparison.Ordinal));
        WaitForJson(_cluster.SeedHttp + "api/cluster", doc => doc.RootElement.GetProperty("members").EnumerateArray().All(m => m.GetProperty("address").GetString() != address),
            "the drained node to be gone from the members");
        Assert.Equal(HttpStatusCode.NotFound, Post($"{_cluster.SeedHttp}api/nodes/drain?address=akka.tcp://pool@127.0.0.1:1").Status);
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private JsonElement WaitForJob(Func<JsonElement, bool> match)
    {
        JsonElement found = default;
        WaitForJson(_cluster!.SeedHttp + "api/jobs", doc =>
        {
            foreach (var pool in doc.RootElement.GetProperty("pools").EnumerateArray())
            foreach (var job in pool.GetProperty("jobs").EnumerateArray())
            {
                if (job.GetProperty("kind").GetString() != "map" || !match(job)) continue;
                // The router travels with the job: it is where a cancel goes.
                using var copy = JsonDocument.Parse($$"""{"router":{{JsonSerializer.Serialize(pool.GetProperty("router").GetString())}},{{job.GetRawText()[1..]}}""");
                found = copy.RootElement.Clone();
                return true;
            }
            return false;
        }, "a map job in /api/jobs matching the test's condition");
        return found;
    }

    private static IEnumerable<JsonElement> Children(JsonDocument cluster) =>
        cluster.RootElement.GetProperty("members").EnumerateArray().SelectMany(m => m.GetProperty("children").EnumerateArray());

    [GeneratedRegex(@"^item \d+ of map job \d+, chunk \d+")]
    private static partial Regex ItemRunning();

    private static long JobDone(JsonElement job) => job.GetProperty("done").GetInt64();

    private JsonDocument WaitForJson(string url, Func<JsonDocument, bool> match, string what)
    {
        JsonDocument? last = null;
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            last = Json(url);
            if (match(last)) return last;
            Thread.Sleep(200);
        }
        throw new TimeoutException($"{what} did not happen within {Patience.TotalSeconds} s; last answer of {url}:\n{last?.RootElement.GetRawText()}");
    }

    private JsonDocument Json(string url)
    {
        var (status, body) = Get(url);
        Assert.True(status == HttpStatusCode.OK, $"GET {url}: {status} {body}");
        return JsonDocument.Parse(body);
    }

    private double MetricsCompleted(string http)
    {
        var m = Regex.Match(Get(http + "metrics").Body, @"^poolcluster_tasks_completed_total(?:\{[^}]*\})? (\S+)", RegexOptions.Multiline);
        return m.Success ? double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    private (HttpStatusCode Status, string Body) Get(string url)
    {
        using var response = _http.GetAsync(url).GetAwaiter().GetResult();
        return (response.StatusCode, response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
    }

    private (HttpStatusCode Status, string Body) Post(string url, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        if (token is not null) request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var response = _http.SendAsync(request).GetAwaiter().GetResult();
        return (response.StatusCode, response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
    }
}

/// <summary>Functions the dashboard tests ship to the nodes.</summary>
public static class DashboardFunctions
{
    public static int SlowSquare(int x)
    {
        Thread.Sleep(200);
        return x * x;
    }
}
