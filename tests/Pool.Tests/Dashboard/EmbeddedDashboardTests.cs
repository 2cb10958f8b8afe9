using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using PoolCluster.Child;
using PoolCluster.Dashboard;
using PoolCluster.Tests.Support;

namespace PoolCluster.Tests.Dashboard;

/// <summary>The dashboard mounted in a user's ASP.NET Core app next to a standalone pool (as Hangfire's is), on a
/// real Kestrel port and real child processes.</summary>
public sealed class EmbeddedDashboardTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_mounted_dashboard_shows_the_pools_children_and_a_jobs_item_failures_with_their_remote_stack()
    {
        using var pool = new WorkerPool(2);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddPoolClusterDashboard(pool.System);
        await using var app = builder.Build();
        app.MapPoolClusterDashboard("/pool");
        await app.StartAsync();
        var url = app.Urls.First().TrimEnd('/') + "/pool/";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };

        // Items 3, 10, 17 raise CustomTaskException in the children; the caller sees the first, the page all three.
        var error = Assert.Throws<CustomTaskException>(() => pool.Map(TestFunctions.FailOn, Enumerable.Range(0, 20), chunkSize: 5));
        Assert.Contains("item 3 is bad", error.Message);

        JsonElement job = default, pools = default;
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            pools = JsonDocument.Parse(await http.GetStringAsync(url + "api/jobs")).RootElement.GetProperty("pools");
            job = pools.EnumerateArray().SelectMany(p => p.GetProperty("jobs").EnumerateArray()).FirstOrDefault();
            // Done and failed items are counted apart: wait for both (the full suite once saw failed 3 with done 12).
            if (job.ValueKind == JsonValueKind.Object && job.GetProperty("failed").GetInt64() == 3 && job.GetProperty("done").GetInt64() == 17) break;
            await Task.Delay(200);
        }
        Assert.Equal("map", job.GetProperty("kind").GetString());
        Assert.Equal(20, job.GetProperty("total").GetInt64());
        Assert.Equal(17, job.GetProperty("done").GetInt64());
        Assert.Equal(3, job.GetProperty("failed").GetInt64());
        var failures = pools[0].GetProperty("failures").EnumerateArray().ToList();
        Assert.Equal(3, failures.Count);
        Assert.All(failures, f => Assert.Equal(typeof(CustomTaskException).FullName, f.GetProperty("type").GetString()));
        Assert.Contains(failures, f => f.GetProperty("task").GetString()!.StartsWith("item 10 of map job", StringComparison.Ordinal));
        Assert.Contains(nameof(TestFunctions.FailOn), failures[0].GetProperty("stackTrace").GetString());

        // This process is the only "member": its two children are listed, idle, with their pids.
        var cluster = JsonDocument.Parse(await http.GetStringAsync(url + "api/cluster")).RootElement;
        var children = cluster.GetProperty("members")[0].GetProperty("children").EnumerateArray().ToList();
        Assert.Equal(2, children.Count);
        Assert.All(children, c => Assert.Equal(Environment.ProcessId, ParentWatch.ParentOf(c.GetProperty("pid").GetInt32().ToString())));

        // The page itself, and actions refused (read-only) when embedded without a token.
        var page = await http.GetStringAsync(url);
        Assert.Contains("<title>PoolCluster</title>", page);
        using var cancel = await http.PostAsync(url + $"api/jobs/cancel?router={Uri.EscapeDataString(pools[0].GetProperty("router").GetString()!)}&job=1", null);
        Assert.Equal(HttpStatusCode.Unauthorized, cancel.StatusCode);
        await app.StopAsync();
    }
}
