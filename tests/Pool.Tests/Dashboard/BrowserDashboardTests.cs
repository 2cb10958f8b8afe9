using System.Text.RegularExpressions;
using PoolCluster.Child;
using PoolCluster.Tests.Cluster;
using PoolCluster.Tests.Integration;
using PoolCluster.Worker.ChildProcess;

namespace PoolCluster.Tests.Dashboard;

/// <summary>The seed's dashboard page rendered by a real headless browser while a job runs on two real nodes.</summary>
public sealed partial class BrowserDashboardTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly ClusterProcesses _cluster = new();

    public void Dispose() => _cluster.Dispose();

    [ChromiumFact]
    public void The_rendered_page_shows_the_nodes_their_children_and_the_jobs_progress_and_changes_while_it_runs()
    {
        var nodes = new[] { _cluster.StartNode(2), _cluster.StartNode(2) };
        var addresses = nodes.Select(n => n.UpAddress).ToList();
        using var pool = _cluster.Connect();
        InProcessCluster.WaitFor(() => pool.Processes == 4, Patience, "both nodes' workers");
        var job = pool.MapAsync(Integration.DashboardFunctions.SlowSquare, Enumerable.Range(0, 200), chunkSize: 1);

        var first = WaitForPage(dom => JobDone(dom) > 0 && Pids(dom).Count == 4, "the page to show 4 children and the job under way");
        foreach (var address in addresses) Assert.Contains(address, first);
        // The children it shows are the nodes' real child processes.
        Assert.Equal(nodes.Select(n => n.Pid).Order(), Pids(first).Select(pid => ParentWatch.ParentOf(pid.ToString()) ?? -1).Distinct().Order());
        Assert.Equal(2, Pids(first).Count(pid => ParentWatch.ParentOf(pid.ToString()) == nodes[0].Pid));
        Assert.Contains(">map<", first);
        Assert.Matches(@">running \d+ %<", first);

        var second = WaitForPage(dom => JobDone(dom) > JobDone(first), "the job's progress on the page to grow");
        Assert.True(JobDone(second) > JobDone(first));

        var png = Path.Combine(Path.GetTempPath(), $"poolcluster-dashboard-{Guid.NewGuid():N}.png");
        try
        {
            HeadlessChromium.Screenshot(_cluster.SeedHttp, png);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(png)[..4]);
        }
        finally { File.Delete(png); }

        Assert.Equal(200, job.Get(Patience).Count);
        WaitForPage(dom => Regex.IsMatch(dom, @">finished 100 %<"), "the page to show the job finished");
    }

    private string WaitForPage(Func<string, bool> match, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        var dom = "";
        while (DateTime.UtcNow < deadline)
        {
            dom = HeadlessChromium.DumpDom(_cluster.SeedHttp);
            if (match(dom)) return dom;
            Thread.Sleep(500);
        }
        throw new TimeoutException($"{what} did not happen within {Patience.TotalSeconds} s; last rendered page:\n{dom}");
    }

    private static List<int> Pids(string dom) => PidCell().Matches(dom).Select(m => int.Parse(m.Groups[1].Value)).ToList();

    private static long JobDone(string dom) => DoneCell().Match(dom) is { Success: true } m ? long.Parse(m.Groups[1].Value) : -1;

    [GeneratedRegex(@"data-pid=""(\d+)""")]
    private static partial Regex PidCell();

    [GeneratedRegex(@"class=""num job-done"">(\d+)<")]
    private static partial Regex DoneCell();
}
