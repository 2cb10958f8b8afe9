namespace PoolCluster.Tests.Control;

/// <summary>Issue 11: progress in items, monotonic, ending with Completed + Failed == Total.</summary>
public sealed class ProgressTests
{
    [Fact]
    public void Progress_of_a_200_item_Map_grows_monotonically_and_ends_at_200_of_200()
    {
        using var pool = new WorkerPool(2);
        var log = new ProgressLog();
        var results = pool.Map(ControlFunctions.SleepMs, Enumerable.Repeat(5, 200), chunkSize: 5, progress: log);
        Assert.Equal(200, results.Count);
        var reports = log.Reports;
        Assert.True(reports.Count >= 2, $"only {reports.Count} reports over a job of ~0.5 s");
        for (var i = 1; i < reports.Count; i++)
        {
            Assert.True(reports[i].Completed >= reports[i - 1].Completed, "Completed went down");
            Assert.True(reports[i].Elapsed >= reports[i - 1].Elapsed, "Elapsed went down");
        }
        Assert.All(reports, r => Assert.Equal(200, r.Total));
        Assert.Equal(new JobProgress(200, 0, 200, reports[^1].Elapsed), reports[^1]);
    }

    [Fact]
    public void Failed_items_are_counted_apart()
    {
        using var pool = new WorkerPool(2);
        var log = new ProgressLog();
        Assert.Throws<InvalidOperationException>(() => pool.Map(ControlFunctions.FailOnMultiplesOf10, Enumerable.Range(0, 100), chunkSize: 7, progress: log));
        var last = log.Reports[^1];
        Assert.Equal((90, 10, 100), (last.Completed, last.Failed, last.Total));
    }

    [Fact]
    public void Imap_progress_has_no_total_until_the_input_ends_then_ends_with_all_items()
    {
        using var pool = new WorkerPool(2);
        var log = new ProgressLog();
        // Far more items than the look-ahead: the total is unknown while the input is still being read.
        var count = pool.ImapUnordered(ControlFunctions.SleepMs, Enumerable.Repeat(2, 600), progress: log).Count();
        Assert.Equal(600, count);
        var reports = log.Reports;
        Assert.Contains(reports, r => r.Total is null);
        Assert.Equal((600, 0, (int?)600), (reports[^1].Completed, reports[^1].Failed, reports[^1].Total));
    }
}
