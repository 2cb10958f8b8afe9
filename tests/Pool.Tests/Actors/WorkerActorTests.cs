using Akka.TestKit.Xunit2;
using PoolCluster.Child.Tasks;
using PoolCluster.Tests.Support;
using PoolCluster.WireFormat.Functions;
using PoolCluster.WireFormat.Messages;
using PoolCluster.WireFormat.Values;
using PoolCluster.Worker;

namespace PoolCluster.Tests.Actors;

/// <summary>A worker actor with a real child process, and a test probe as its router.</summary>
public sealed class WorkerActorTests : TestKit
{
    private static WorkerSettings Settings(int maxTasksPerChild = 0) =>
        WorkerSettings.From(PoolSettings.Default.WithMaxTasksPerChild(maxTasksPerChild), []);

    private static readonly FunctionSpec SquareSpec =
        new(9001, FunctionShipCheck.SerializeFunctionBody(new MapBody<int, int>(TestFunctions.Square)));

    private static TaskChunk Chunk(long id, params int[] items) => new(id, SquareSpec, Wire.ToBytes(items), $"chunk {id}");

    [Fact]
    public void Pulls_work_and_returns_results_from_its_child()
    {
        var router = CreateTestProbe();
        var worker = Sys.ActorOf(WorkerActor.Props(router.Ref, Settings()));
        var ask = router.ExpectMsg<RequestWork>(TimeSpan.FromSeconds(10));
        Assert.Equal(PoolSettings.Default.ChunksInFlightPerWorker, ask.Count);

        worker.Tell(Chunk(1, 2, 3), router.Ref);
        var done = router.FishForMessage<ChunkCompleted>(_ => true, TimeSpan.FromSeconds(30));
        Assert.Equal(1, done.TaskId);
        var reply = Wire.FromBytes<ChunkReply<int>>(done.Payload);
        Assert.Equal(new[] { 4, 9 }, reply.Results);
        Assert.Equal(1, router.ExpectMsg<RequestWork>().Count); // room for one more
        Sys.Stop(worker);
    }

    [Fact]
    public void A_killed_child_fails_the_running_chunk_and_a_fresh_child_runs_the_next()
    {
        var router = CreateTestProbe();
        var worker = Sys.ActorOf(WorkerActor.Props(router.Ref, Settings()));
        router.ExpectMsg<RequestWork>(TimeSpan.FromSeconds(10));
        var pidSpec = new FunctionSpec(9002, FunctionShipCheck.SerializeFunctionBody(new MapBody<int, int>(TestFunctions.SleepThenPid)));
        worker.Tell(new TaskChunk(1, pidSpec, Wire.ToBytes(new[] { 1 }), "chunk 1"), router.Ref);
        var pid = Wire.FromBytes<ChunkReply<int>>(router.FishForMessage<ChunkCompleted>(_ => true, TimeSpan.FromSeconds(30)).Payload).Results[0];

        worker.Tell(new TaskChunk(2, pidSpec, Wire.ToBytes(new[] { 30_000 }), "chunk 2"), router.Ref);
        Thread.Sleep(300);
        ProcessProbe.KillHard(pid);
        var lost = router.FishForMessage<ChunkLost>(_ => true, TimeSpan.FromSeconds(10));
        Assert.Equal(2, lost.TaskId);
        Assert.Equal(9, lost.Signal);

        worker.Tell(new TaskChunk(3, pidSpec, Wire.ToBytes(new[] { 1 }), "chunk 3"), router.Ref);
        var next = router.FishForMessage<ChunkCompleted>(_ => true, TimeSpan.FromSeconds(30));
        Assert.NotEqual(pid, Wire.FromBytes<ChunkReply<int>>(next.Payload).Results[0]);
        Sys.Stop(worker);
    }
}
