using PoolCluster.Cluster;

namespace PoolCluster.Tests.Cluster;

/// <summary>The fairness rule: k pools with work on N processes get ⌊N/k⌋ or ⌈N/k⌉ each, the larger shares in turn.</summary>
public sealed class FairShareTests
{
    private sealed record Pool(string Name, double Service, int Held, long Order);

    private static Dictionary<string, int> Shares(int processes, params Pool[] pools) =>
        FairShare.Assign(processes, pools, p => p.Service, p => p.Held, p => p.Order, intervalSeconds: 1)
            .ToDictionary(s => s.Pool.Name, s => s.Share);

    [Theory]
    [InlineData(2, 3)]
    [InlineData(4, 3)]
    [InlineData(16, 10)]
    [InlineData(2, 1)]
    [InlineData(8, 8)]
    public void Every_pool_gets_the_floor_or_the_ceiling_and_every_process_is_given(int processes, int pools)
    {
        var shares = Shares(processes, Enumerable.Range(0, pools).Select(i => new Pool($"p{i}", 0, 0, i)).ToArray());
        Assert.Equal(processes, shares.Values.Sum());
        Assert.All(shares.Values, s => Assert.InRange(s, processes / pools, (processes + pools - 1) / pools));
    }

    [Fact]
    public void The_larger_shares_go_to_the_pools_that_had_least_of_the_node()
    {
        var shares = Shares(2, new Pool("served", 10, 1, 1), new Pool("waiting", 2, 0, 2), new Pool("half", 5, 1, 3));
        Assert.Equal(0, shares["served"]);
        Assert.Equal(1, shares["waiting"]);
        Assert.Equal(1, shares["half"]);
    }

    [Fact]
    public void A_pool_keeps_its_larger_share_until_another_is_behind_by_more_than_one_interval()
    {
        // "holder" has had 0.5 s more than "other": within the hysteresis, so no process changes hands.
        Assert.Equal(1, Shares(1, new Pool("holder", 3.5, 1, 1), new Pool("other", 3.0, 0, 2))["holder"]);
        // 1.5 s more: the other pool's turn.
        Assert.Equal(1, Shares(1, new Pool("holder", 4.5, 1, 1), new Pool("other", 3.0, 0, 2))["other"]);
    }
}
