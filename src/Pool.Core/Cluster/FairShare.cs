namespace PoolCluster.Cluster;

/// <summary>
/// The fairness rule of a worker node: with k pools that have work and N processes, each pool gets ⌊N/k⌋ or ⌈N/k⌉.
/// The N mod k larger shares go to the pools that had the least of the node so far (slot-seconds since they last
/// got work), so with more pools than processes every pool gets its turn. A pool holding a larger share keeps it until
/// another is behind by more than one review interval's worth, so shares do not flap (moving a slot costs a child
/// start).
/// </summary>
internal static class FairShare
{
    public static List<(T Pool, int Share)> Assign<T>(int processes, IReadOnlyList<T> working,
        Func<T, double> service, Func<T, int> held, Func<T, long> order, double intervalSeconds)
    {
        var k = working.Count;
        var small = processes / k;
        var larger = processes % k;
        var ranked = working
            .OrderBy(p => service(p) - (held(p) > small ? intervalSeconds : 0))
            .ThenByDescending(held)
            .ThenBy(order)
            .ToList();
        return ranked.Select((p, i) => (p, small + (i < larger ? 1 : 0))).ToList();
    }
}
