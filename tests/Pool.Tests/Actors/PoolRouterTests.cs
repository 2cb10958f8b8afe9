using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using PoolCluster.Router;
using PoolCluster.WireFormat.Messages;
using PoolCluster.WireFormat.Values;

namespace PoolCluster.Tests.Actors;

/// <summary>The router's bookkeeping, with test probes standing in for workers (pull protocol, retries, exactly-once).</summary>
public sealed class PoolRouterTests : TestKit
{
    private static readonly FunctionSpec Function = new(1, []);

    /// <summary>What reached a job's sink for one chunk.</summary>
    private sealed record Outcome(int Chunk, byte[]? Payload, Exception? Error);

    /// <summary>Tells each outcome to a probe, so a test can wait for outcomes and for the absence of more.</summary>
    private sealed class RecordingSink(IActorRef probe) : IChunkSink
    {
        public void OnResult(int chunkIndex, byte[] payload) => probe.Tell(new Outcome(chunkIndex, payload, null));
        public void OnFailure(int chunkIndex, Exception error) => probe.Tell(new Outcome(chunkIndex, null, error));
    }

    private readonly TestProbe _outcomes;
    private readonly RecordingSink _sink;

    public PoolRouterTests()
    {
        _outcomes = CreateTestProbe();
        _sink = new RecordingSink(_outcomes.Ref);
    }

    private IActorRef StartRouter(int maxRetries = 3)
    {
        var settings = PoolSettings.Default.WithMaxRetries(maxRetries);
        return Sys.ActorOf(PoolRouter.Props(new RouterSetup(settings, Worker.WorkerSettings.From(settings, []), LocalWorkers: 0,
            Cluster: null, new PoolStats(), new TaskCompletionSource())));
    }

    private WorkItem Item(int chunk, long job = 1) => new(job, chunk, Function, [(byte)chunk], $"chunk {chunk}", _sink);

    /// <summary>A worker stand-in that has asked <paramref name="router"/> for this many chunks.</summary>
    private TestProbe WorkerAsking(IActorRef router, int count)
    {
        var worker = CreateTestProbe();
        router.Tell(new RequestWork(count), worker.Ref);
        return worker;
    }

    /// <summary>A router that has handed its one queued chunk to the worker that asked for it.</summary>
    private (IActorRef Router, TestProbe Worker, TaskChunk Chunk) OneChunkHandedOut()
    {
        var router = StartRouter();
        var worker = WorkerAsking(router, 1);
        router.Tell(new Submit([Item(0)]));
        return (router, worker, worker.ExpectMsg<TaskChunk>());
    }

    /// <summary>The next <paramref name="count"/> outcomes; with <paramref name="andNoMore"/>, none follows them (a
    /// duplicate would).</summary>
    private List<Outcome> ExpectOutcomes(int count, bool andNoMore, TimeSpan? within = null)
    {
        var outcomes = Enumerable.Range(0, count).Select(_ => _outcomes.ExpectMsg<Outcome>(within)).ToList();
        if (andNoMore) _outcomes.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        return outcomes;
    }

    [Fact]
    public void Work_goes_only_to_workers_that_asked_for_it()
    {
        var router = StartRouter();
        router.Tell(new Submit([Item(0), Item(1), Item(2)]));
        var worker = CreateTestProbe();
        worker.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        router.Tell(new RequestWork(2), worker.Ref);
        // Room for two: both chunks travel in one message, in queue order.
        var batch = worker.ExpectMsg<TaskChunks>();
        Assert.Equal(new[] { new byte[] { 0 }, new byte[] { 1 } }, batch.Chunks.Select(c => c.Payload));
        worker.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void Results_batched_in_one_message_each_reach_their_job_once()
    {
        var router = StartRouter();
        router.Tell(new Submit([Item(0), Item(1), Item(2)]));
        var worker = WorkerAsking(router, 3);
        var batch = worker.ExpectMsg<TaskChunks>();
        router.Tell(new ChunksCompleted(batch.Chunks.Select(c => new ChunkCompleted(c.TaskId, c.Payload)).Concat(
            [new ChunkCompleted(batch.Chunks[0].TaskId, [99])]).ToList()), worker.Ref); // with a duplicate
        var outcomes = ExpectOutcomes(3, andNoMore: true);
        Assert.Equal(new[] { 0, 1, 2 }, outcomes.Select(o => o.Chunk).Order());
        Assert.DoesNotContain(outcomes, o => o.Payload is [99]);
    }

    [Fact]
    public void A_late_duplicate_result_is_dropped_so_each_result_is_seen_once()
    {
        var (router, worker, chunk) = OneChunkHandedOut();
        router.Tell(new ChunkCompleted(chunk.TaskId, [42]), worker.Ref);
        router.Tell(new ChunkCompleted(chunk.TaskId, [43]), worker.Ref);
        var outcomes = ExpectOutcomes(1, andNoMore: true);
        Assert.Single(outcomes);
        Assert.Equal(new byte[] { 42 }, outcomes[0].Payload);
    }

    [Fact]
    public void Work_in_flight_on_a_worker_that_dies_is_dispatched_again_and_its_late_answer_ignored()
    {
        var (router, doomed, lost) = OneChunkHandedOut();
        Sys.Stop(doomed.Ref);

        var survivor = WorkerAsking(router, 1);
        var retried = survivor.ExpectMsg<TaskChunk>();
        Assert.Equal(lost.Payload, retried.Payload);
        Assert.NotEqual(lost.TaskId, retried.TaskId);

        router.Tell(new ChunkCompleted(lost.TaskId, [1]));       // the dead worker's late answer
        router.Tell(new ChunkCompleted(retried.TaskId, [2]), survivor.Ref);
        var outcomes = ExpectOutcomes(1, andNoMore: true);
        Assert.Single(outcomes);
        Assert.Equal(new byte[] { 2 }, outcomes[0].Payload);
    }

    [Fact]
    public void A_poison_task_that_keeps_losing_workers_fails_after_MaxRetries_with_WorkerLostException()
    {
        var router = StartRouter(maxRetries: 2);
        router.Tell(new Submit([Item(0)]));
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var worker = WorkerAsking(router, 1);
            worker.ExpectMsg<TaskChunk>();
            Sys.Stop(worker.Ref);
        }
        var error = Assert.IsType<WorkerLostException>(ExpectOutcomes(1, andNoMore: false)[0].Error);
        Assert.Contains("MaxRetries = 2", error.Message);
        var idle = WorkerAsking(router, 1);
        idle.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void A_child_lost_mid_task_fails_that_task_with_WorkerLostException()
    {
        var (router, worker, chunk) = OneChunkHandedOut();
        router.Tell(new ChunkLost(chunk.TaskId, "child 123 died", 137, 9), worker.Ref);
        var error = Assert.IsType<WorkerLostException>(ExpectOutcomes(1, andNoMore: false)[0].Error);
        Assert.Equal(9, error.Signal);
        Assert.Equal("chunk 0", error.TaskDescription);
    }

    [Fact]
    public void A_cancelled_job_loses_its_queued_chunks()
    {
        var router = StartRouter();
        router.Tell(new Submit([Item(0, job: 7), Item(1, job: 8)]));
        router.Tell(new CancelJob(7));
        var worker = WorkerAsking(router, 2);
        Assert.Equal(new byte[] { 1 }, worker.ExpectMsg<TaskChunk>().Payload);
        worker.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void Demand_that_arrived_first_does_not_take_the_whole_job()
    {
        var router = StartRouter();
        var first = WorkerAsking(router, 16);
        var second = WorkerAsking(router, 16);
        router.Tell(new Submit(Enumerable.Range(0, 10).Select(i => Item(i)).ToList()));
        // The freest worker gets each chunk in turn: five each.
        Assert.Equal(5, first.ExpectMsg<TaskChunks>().Chunks.Count);
        Assert.Equal(5, second.ExpectMsg<TaskChunks>().Chunks.Count);
    }

    [Fact]
    public void An_idle_worker_gets_the_chunks_a_busy_one_hands_back()
    {
        var router = StartRouter();
        var busy = WorkerAsking(router, 4);
        router.Tell(new Submit(Enumerable.Range(0, 4).Select(i => Item(i)).ToList()));
        var held = busy.ExpectMsg<TaskChunks>().Chunks;

        var idle = WorkerAsking(router, 2);
        Assert.Equal(2, busy.ExpectMsg<ReturnWork>().Count);
        router.Tell(new WorkReturned([held[2].TaskId, held[3].TaskId]), busy.Ref);

        var moved = idle.ExpectMsg<TaskChunks>().Chunks;
        Assert.Equal(new[] { new byte[] { 2 }, new byte[] { 3 } }, moved.Select(c => c.Payload));
        // A late answer under the old ids is dropped; the new ids count once.
        router.Tell(new ChunkCompleted(held[2].TaskId, [9]), busy.Ref);
        foreach (var c in moved) router.Tell(new ChunkCompleted(c.TaskId, c.Payload), idle.Ref);
        var outcomes = ExpectOutcomes(2, andNoMore: true);
        Assert.Equal(new[] { 2, 3 }, outcomes.Select(o => o.Chunk).Order());
        Assert.DoesNotContain(outcomes, o => o.Payload is [9]);
    }

    [Fact]
    public void A_pool_broken_while_closing_fails_what_is_left_and_stops_its_workers()
    {
        var router = StartRouter();
        var worker = WorkerAsking(router, 1);
        router.Tell(new Submit([Item(0), Item(1)]));
        worker.ExpectMsg<TaskChunk>();
        router.Tell(new ClosePool());

        router.Tell(new InitializerFailed(ErrorInfo.From(new ArgumentException("broken on purpose"))), worker.Ref);

        // Nothing is left to finish: the close completes instead of waiting for a message that may never come.
        Assert.True(worker.FishForMessage<StopWorker>(_ => true, TimeSpan.FromSeconds(10)).Graceful);
        var outcomes = ExpectOutcomes(2, andNoMore: false, TimeSpan.FromSeconds(10));
        Assert.All(outcomes, o => Assert.IsType<PoolInitializerException>(o.Error));
    }
}
