using Akka.Actor;
using Akka.TestKit.Xunit2;
using PoolCluster.Protocol;
using PoolCluster.Router;
using PoolCluster.Serialization;

namespace PoolCluster.Tests.Actors;

/// <summary>The router's bookkeeping, with test probes standing in for workers (pull protocol, retries, exactly-once).</summary>
public sealed class PoolRouterTests : TestKit
{
    private static readonly FunctionSpec Function = new(1, []);

    private sealed class RecordingSink : IChunkSink
    {
        public readonly List<(int Chunk, byte[]? Payload, Exception? Error)> Outcomes = [];
        public void OnResult(int chunkIndex, byte[] payload) { lock (Outcomes) Outcomes.Add((chunkIndex, payload, null)); }
        public void OnFailure(int chunkIndex, Exception error) { lock (Outcomes) Outcomes.Add((chunkIndex, null, error)); }
        public int Count { get { lock (Outcomes) return Outcomes.Count; } }
    }

    private IActorRef StartRouter(int maxRetries = 3)
    {
        var settings = PoolSettings.Default.WithMaxRetries(maxRetries);
        return Sys.ActorOf(PoolRouter.Props(new RouterSetup(settings, Worker.WorkerSettings.From(settings, []), LocalWorkers: 0,
            Cluster: null, new PoolStats(), new TaskCompletionSource())));
    }

    private static WorkItem Item(int chunk, IChunkSink sink, long job = 1) => new(job, chunk, Function, [(byte)chunk], $"chunk {chunk}", sink);

    [Fact]
    public void Work_goes_only_to_workers_that_asked_for_it()
    {
        var router = StartRouter();
        var sink = new RecordingSink();
        router.Tell(new Submit([Item(0, sink), Item(1, sink), Item(2, sink)]));
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
        var sink = new RecordingSink();
        var worker = CreateTestProbe();
        router.Tell(new Submit([Item(0, sink), Item(1, sink), Item(2, sink)]));
        router.Tell(new RequestWork(3), worker.Ref);
        var batch = worker.ExpectMsg<TaskChunks>();
        router.Tell(new ChunksCompleted(batch.Chunks.Select(c => new ChunkCompleted(c.TaskId, c.Payload)).Concat(
            [new ChunkCompleted(batch.Chunks[0].TaskId, [99])]).ToList()), worker.Ref); // with a duplicate
        AwaitCondition(() => sink.Count >= 3);
        Thread.Sleep(200);
        Assert.Equal(new[] { 0, 1, 2 }, sink.Outcomes.Select(o => o.Chunk).Order());
        Assert.DoesNotContain(sink.Outcomes, o => o.Payload is [99]);
    }

    [Fact]
    public void A_late_duplicate_result_is_dropped_so_each_result_is_seen_once()
    {
        var router = StartRouter();
        var sink = new RecordingSink();
        var worker = CreateTestProbe();
        router.Tell(new RequestWork(1), worker.Ref);
        router.Tell(new Submit([Item(0, sink)]));
        var chunk = worker.ExpectMsg<TaskChunk>();
        router.Tell(new ChunkCompleted(chunk.TaskId, [42]), worker.Ref);
        router.Tell(new ChunkCompleted(chunk.TaskId, [43]), worker.Ref);
        AwaitCondition(() => sink.Count >= 1);
        Thread.Sleep(200);
        Assert.Single(sink.Outcomes);
        Assert.Equal(new byte[] { 42 }, sink.Outcomes[0].Payload);
    }

    [Fact]
    public void Work_in_flight_on_a_worker_that_dies_is_dispatched_again_and_its_late_answer_ignored()
    {
        var router = StartRouter();
        var sink = new RecordingSink();
        var doomed = CreateTestProbe();
        router.Tell(new RequestWork(1), doomed.Ref);
        router.Tell(new Submit([Item(0, sink)]));
        var lost = doomed.ExpectMsg<TaskChunk>();
        Sys.Stop(doomed.Ref);

        var survivor = CreateTestProbe();
        router.Tell(new RequestWork(1), survivor.Ref);
        var retried = survivor.ExpectMsg<TaskChunk>();
        Assert.Equal(lost.Payload, retried.Payload);
        Assert.NotEqual(lost.TaskId, retried.TaskId);

        router.Tell(new ChunkCompleted(lost.TaskId, [1]));       // the dead worker's late answer
        router.Tell(new ChunkCompleted(retried.TaskId, [2]), survivor.Ref);
        AwaitCondition(() => sink.Count >= 1);
        Thread.Sleep(200);
        Assert.Single(sink.Outcomes);
        Assert.Equal(new byte[] { 2 }, sink.Outcomes[0].Payload);
    }

    [Fact]
    public void A_poison_task_that_keeps_losing_workers_fails_after_MaxRetries_with_WorkerLostException()
    {
        var router = StartRouter(maxRetries: 2);
        var sink = new RecordingSink();
        router.Tell(new Submit([Item(0, sink)]));
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var worker = CreateTestProbe();
            router.Tell(new RequestWork(1), worker.Ref);
            worker.ExpectMsg<TaskChunk>();
            Sys.Stop(worker.Ref);
        }
        AwaitCondition(() => sink.Count == 1);
        var error = Assert.IsType<WorkerLostException>(sink.Outcomes[0].Error);
        Assert.Contains("MaxRetries = 2", error.Message);
        var idle = CreateTestProbe();
        router.Tell(new RequestWork(1), idle.Ref);
        idle.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void A_child_lost_mid_task_fails_that_task_with_WorkerLostException()
    {
        var router = StartRouter();
        var sink = new RecordingSink();
        var worker = CreateTestProbe();
        router.Tell(new RequestWork(1), worker.Ref);
        router.Tell(new Submit([Item(0, sink)]));
        var chunk = worker.ExpectMsg<TaskChunk>();
        router.Tell(new ChunkLost(chunk.TaskId, "child 123 died", 137, 9), worker.Ref);
        AwaitCondition(() => sink.Count == 1);
        var error = Assert.IsType<WorkerLostException>(sink.Outcomes[0].Error);
        Assert.Equal(9, error.Signal);
        Assert.Equal("chunk 0", error.TaskDescription);
    }

    [Fact]
    public void A_cancelled_job_loses_its_queued_chunks()
    {
        var router = StartRouter();
        var sink = new RecordingSink();
        router.Tell(new Submit([Item(0, sink, job: 7), Item(1, sink, job: 8)]));
        router.Tell(new CancelJob(7));
        var worker = CreateTestProbe();
        router.Tell(new RequestWork(2), worker.Ref);
        Assert.Equal(new byte[] { 1 }, worker.ExpectMsg<TaskChunk>().Payload);
        worker.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void Demand_that_arrived_first_does_not_take_the_whole_job()
    {
        var router = StartRouter();
        var sink = new RecordingSink();
        var first = CreateTestProbe();
        var second = CreateTestProbe();
        router.Tell(new RequestWork(16), first.Ref);
        router.Tell(new RequestWork(16), second.Ref);
        router.Tell(new Submit(Enumerable.Range(0, 10).Select(i => Item(i, sink)).ToList()));
        // The freest worker gets each chunk in turn: five each.
        Assert.Equal(5, first.ExpectMsg<TaskChunks>().Chunks.Count);
        Assert.Equal(5, second.ExpectMsg<TaskChunks>().Chunks.Count);
    }

    [Fact]
    public void An_idle_worker_gets_the_chunks_a_busy_one_hands_back()
    {
        var router = StartRouter();
        var sink = new RecordingSink();
        var busy = CreateTestProbe();
        router.Tell(new RequestWork(4), busy.Ref);
        router.Tell(new Submit(Enumerable.Range(0, 4).Select(i => Item(i, sink)).ToList()));
        var held = busy.ExpectMsg<TaskChunks>().Chunks;

        var idle = CreateTestProbe();
        router.Tell(new RequestWork(2), idle.Ref);
        Assert.Equal(2, busy.ExpectMsg<ReturnWork>().Count);
        router.Tell(new WorkReturned([held[2].TaskId, held[3].TaskId]), busy.Ref);

        var moved = idle.ExpectMsg<TaskChunks>().Chunks;
        Assert.Equal(new[] { new byte[] { 2 }, new byte[] { 3 } }, moved.Select(c => c.Payload));
        // A late answer under the old ids is dropped; the new ids count once.
        router.Tell(new ChunkCompleted(held[2].TaskId, [9]), busy.Ref);
        foreach (var c in moved) router.Tell(new ChunkCompleted(c.TaskId, c.Payload), idle.Ref);
        AwaitCondition(() => sink.Count >= 2);
        Thread.Sleep(200);
        Assert.Equal(new[] { 2, 3 }, sink.Outcomes.Select(o => o.Chunk).Order());
        Assert.DoesNotContain(sink.Outcomes, o => o.Payload is [9]);
    }

    [Fact]
    public void A_pool_broken_while_closing_fails_what_is_left_and_stops_its_workers()
    {
        var router = StartRouter();
        var sink = new RecordingSink();
        var worker = CreateTestProbe();
        router.Tell(new RequestWork(1), worker.Ref);
        router.Tell(new Submit([Item(0, sink), Item(1, sink)]));
        worker.ExpectMsg<TaskChunk>();
        router.Tell(new ClosePool());

        router.Tell(new InitializerFailed(ErrorInfo.From(new ArgumentException("broken on purpose"))), worker.Ref);

        // Nothing is left to finish: the close completes instead of waiting for a message that may never come.
        Assert.True(worker.FishForMessage<StopWorker>(_ => true, TimeSpan.FromSeconds(10)).Graceful);
        AwaitCondition(() => sink.Count == 2, TimeSpan.FromSeconds(10));
        Assert.All(sink.Outcomes, o => Assert.IsType<PoolInitializerException>(o.Error));
    }
}
