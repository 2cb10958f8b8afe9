using PoolCluster.Cluster;

namespace PoolCluster.Tests.Cluster;

/// <summary>The up line Pool.Seed and Pool.Node print is read back by scripts, tests, the bench and the demo.</summary>
public sealed class MemberUpLineTests
{
    [Fact]
    public void A_node_line_reads_back_as_what_was_formatted()
    {
        var line = MemberUpLine.Format(MemberUpLine.Node, "akka.tcp://pool@127.0.0.1:40123", 3);

        Assert.Equal("Pool.Node up at akka.tcp://pool@127.0.0.1:40123 offering 3 processes", line);
        Assert.True(MemberUpLine.TryParse(line, out var up));
        Assert.Equal(new MemberUpLine(MemberUpLine.Node, "akka.tcp://pool@127.0.0.1:40123", 3), up);
        Assert.Equal(line, up.ToString());
    }

    [Fact]
    public void A_seed_line_over_tls_reads_back_without_processes()
    {
        var line = MemberUpLine.Format(MemberUpLine.Seed, "akka.ssl.tcp://pool@10.0.0.5:4053");

        Assert.Equal("Pool.Seed up at akka.ssl.tcp://pool@10.0.0.5:4053", line);
        Assert.True(MemberUpLine.TryParse(line, out var up));
        Assert.Equal(MemberUpLine.Seed, up.Program);
        Assert.Null(up.Processes);
    }

    [Theory]
    [InlineData("Pool.Node dashboard at http://127.0.0.1:4080/")]
    [InlineData("[INFO] Pool.Node up at akka.tcp://pool@127.0.0.1:1 offering 2 processes")]
    [InlineData("Pool.Node up at somewhere offering 2 processes")]
    [InlineData("")]
    [InlineData(null)]
    public void Other_lines_are_not_up_lines(string? line) => Assert.False(MemberUpLine.TryParse(line, out _));
}
