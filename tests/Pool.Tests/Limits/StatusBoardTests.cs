using System.Diagnostics;
using PoolCluster.WireFormat.Frames;

namespace PoolCluster.Tests.Limits;

public sealed class StatusBoardTests
{
    [Fact]
    public void What_the_child_side_publishes_the_parent_side_reads_and_the_file_leaves_no_trace()
    {
        using var parent = StatusBoard.Create();
        Assert.True(File.Exists(parent.Path));
        Assert.Equal(ChildActivity.Unknown, parent.Read().State);

        using var child = StatusBoard.Open(parent.Path);
        parent.Unlink(); // as once the child said hello: both mappings stay valid
        Assert.False(File.Exists(parent.Path));

        var before = Stopwatch.GetTimestamp();
        child.Running(41, 3);
        var running = parent.Read();
        Assert.Equal((41L, 3, ChildActivity.Running), (running.TaskId, running.Item, running.State));
        Assert.InRange(running.Since, before, Stopwatch.GetTimestamp());

        child.Idle(41);
        Assert.Equal((41L, ChildActivity.Idle), (parent.Read().TaskId, parent.Read().State));
    }

    [Fact]
    public void A_disposed_board_deletes_its_file_and_reads_as_unknown()
    {
        var board = StatusBoard.Create();
        var path = board.Path;
        board.Dispose();
        Assert.False(File.Exists(path));
        Assert.Equal(ChildActivity.Unknown, board.Read().State);
    }
}
