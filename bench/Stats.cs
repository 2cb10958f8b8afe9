namespace PoolCluster.Bench;

/// <summary>Medians of samples.</summary>
public static class Stats
{
    /// <summary>The median (the mean of the middle two for an even count).</summary>
    public static double Median(IEnumerable<double> samples)
    {
        var sorted = samples.Order().ToList();
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
