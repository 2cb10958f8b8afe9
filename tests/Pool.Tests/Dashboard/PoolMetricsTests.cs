using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using PoolCluster.Tests.Support;

namespace PoolCluster.Tests.Dashboard;

/// <summary>The <c>PoolCluster</c> meter as <c>dotnet-counters</c> and OpenTelemetry see it: a MeterListener on a
/// standalone pool with real children. Other tests share the process (and the meter), so counts are lower bounds.</summary>
public sealed class PoolMetricsTests
{
    private static readonly string[] Instruments =
    [
        "poolcluster.tasks.submitted", "poolcluster.tasks.completed", "poolcluster.tasks.failed", "poolcluster.tasks.retried",
        "poolcluster.tasks.cancelled", "poolcluster.task.duration", "poolcluster.queue.length", "poolcluster.workers",
        "poolcluster.child.starts", "poolcluster.child.losses", "poolcluster.child.memory",
    ];

    [Fact]
    public void The_meter_counts_tasks_run_time_children_and_losses_by_reason()
    {
        var sums = new ConcurrentDictionary<string, double>();
        var published = new ConcurrentDictionary<string, byte>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name != "PoolCluster") return;
            published.TryAdd(instrument.Name, 0);
            l.EnableMeasurementEvents(instrument);
        };
        void Record(Instrument i, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var key = i.Name;
            foreach (var t in tags) key += $"|{t.Key}={t.Value}";
            sums.AddOrUpdate(key, value, (_, v) => v + value);
        }
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        listener.Start();

        using var pool = new WorkerPool(new PoolOptions { Processes = 2 });
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i * i), pool.Map(TestFunctions.Square, Enumerable.Range(0, 10), chunkSize: 1));
        Assert.Throws<WorkerLostException>(() => pool.Apply(TestFunctions.ExitProcess, 3));
        listener.RecordObservableInstruments();

        Assert.All(Instruments, name => Assert.True(published.ContainsKey(name), $"instrument {name} is not published"));
        Assert.True(sums.GetValueOrDefault("poolcluster.tasks.submitted") >= 11);
        Assert.True(sums.GetValueOrDefault("poolcluster.tasks.completed") >= 10);
        Assert.True(sums.GetValueOrDefault("poolcluster.task.duration") > 0);
        Assert.True(sums.GetValueOrDefault("poolcluster.child.starts") >= 2);
        Assert.True(sums.GetValueOrDefault("poolcluster.child.losses|reason=exit") >= 1);
        Assert.True(sums.GetValueOrDefault("poolcluster.tasks.failed") >= 1);
        Assert.True(sums.GetValueOrDefault("poolcluster.workers") >= 2);
        Assert.True(sums.GetValueOrDefault("poolcluster.child.memory") > 0);
    }
}
