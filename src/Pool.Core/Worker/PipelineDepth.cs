namespace PoolCluster.Worker;

/// <summary>
/// How many chunks a worker keeps (queued in the child, waiting, or asked for). Fast chunks are queued deeper, so one
/// pipe write, one wake-up and one flush carry many of them; the depth is what fits in about 2 ms of the child's recent
/// run time per chunk, so a chunk holds little work queued behind it, and slow chunks get the configured minimum. A
/// slow chunk is seen at once (the average moves a fifth of the way per sample, so one long run pulls the depth down
/// immediately).
/// </summary>
internal sealed class PipelineDepth(WorkerSettings settings)
{
    /// <summary>How much queued work a child may hold behind its running chunk.</summary>
    public const double QueueBudgetMicros = 2000;

    private int _runSamples;

    /// <summary>Recent run time per chunk, in microseconds.</summary>
    public double AverageRunMicros { get; private set; }

    public int Depth
    {
        get
        {
            // A child allowed to run n async items at once needs n one-item chunks to do so.
            var min = Math.Max(settings.ChunksInFlight, settings.MaxConcurrentTasksPerChild);
            var max = Math.Max(min, settings.MaxChunksInFlight);
            if (_runSamples < 4 || max == min) return min;
            return (int)Math.Clamp(QueueBudgetMicros / Math.Max(1.0, AverageRunMicros), min, max);
        }
    }

    public void RecordRunTime(int micros)
    {
        AverageRunMicros = _runSamples++ == 0 ? micros : AverageRunMicros + (micros - AverageRunMicros) * 0.2;
        // One long run is enough to stop queueing deep behind the next one.
        if (micros > AverageRunMicros) AverageRunMicros = Math.Max(AverageRunMicros, micros / 4.0);
    }
}
