using System.Collections.Concurrent;
using PoolCluster.Child.Tasks;
using PoolCluster.WireFormat.Frames;
using PoolCluster.WireFormat.Messages;
using PoolCluster.WireFormat.Values;
using PoolCluster.Worker.ChildProcess;

namespace PoolCluster.Child;

/// <summary>
/// The loop of a child process: connect to the parent's pipe, run the initializer, then run chunks in order.
/// A dedicated thread reads the pipe so that the parent's death (end of stream) ends the child even while user
/// code is busy: no orphans. Touches no Akka type, so a child never loads Akka.
/// </summary>
internal static class ChildHost
{
    public const string ChildArgument = "--pool-child";

    public static int Run(string pipeName, int maxFrameSize, int parentPid, string? boardPath)
    {
        // Ctrl+C in a terminal signals the whole process group, children included. A child's life is its parent's
        // business: it finishes its task and exits when the parent closes the pipe (a graceful drain), not on SIGINT.
        using var ignoreInterrupt = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGINT, context => context.Cancel = true);
        ShippedAssemblyResolver.Install(Environment.GetEnvironmentVariable(ChildLauncher.ShippedAssembliesVariable));
        // Mapped before Hello: the parent unlinks the board's file once it hears from the child.
        var board = OpenBoard(boardPath);
        using var pipe = ParentPipe.Connect(pipeName, parentPid);
        if (pipe is null) return ChildExit.NoParentCode;
        var writer = new FrameWriter(pipe);
        var reader = new FrameReader(pipe, maxFrameSize);
        var inbox = new BlockingCollection<Frame>(new ConcurrentQueue<Frame>());
        var replies = new ReplyFlusher(writer);
        // Environment.Exit in user code (or anywhere) must not lose replies of tasks that already finished.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => writer.TryFlush(TimeSpan.FromSeconds(1));

        writer.Write(FrameType.Hello, Environment.ProcessId, 0, default);
        writer.Flush();
        var calls = new PipeCalls(writer);
        // Shared-object proxies in this child reach their managers over this pipe (a child belongs to one pool).
        Manager.ManagerChannel.UseChildPipe(calls.Call);

        var revocations = new ChunkRevocations(writer);
        var readerThread = new Thread(() => ReadUntilParentGone(reader, inbox, calls, revocations)) { IsBackground = true, Name = "pool-child-reader" };
        readerThread.Start();

        TaskContext.InWorker = true;
        var maxReplySize = int.MaxValue;
        var functions = new Dictionary<int, object>(); // ITaskBody or IAsyncTaskBody
        var brokenFunctions = new Dictionary<int, ErrorInfo>();
        var asyncChunks = new PendingTasks();
        foreach (var frame in inbox.GetConsumingEnumerable())
        {
            switch (frame.Type)
            {
                case FrameType.Init:
                    TaskContext.Configure(TimeSpan.FromMilliseconds(frame.Aux), board);
                    (maxReplySize, var maxValueDepth) = ChildLimits.Unpack(frame.Id);
                    ValueDepthGuard.Set(maxValueDepth);
                    if (!RunInitializer(frame.Payload, writer)) return ChildExit.InitializerFailedCode;
                    break;
                case FrameType.DefineFunction:
                    try { functions[(int)frame.Id] = Wire.FromBytes<object>(frame.Payload)!; }
                    catch (Exception e) { brokenFunctions[(int)frame.Id] = ErrorInfo.From(e); }
                    break;
                case FrameType.SetConcurrency:
                    TaskContext.SetConcurrency((int)frame.Id);
                    break;
                case FrameType.RunChunk:
                    if (!revocations.Start(frame.Id)) break; // handed to another worker before it started
                    if (functions.TryGetValue(frame.Aux, out var body) && body is IAsyncTaskBody asyncBody)
                    {
                        var run = RunAsyncChunk(frame, asyncBody, replies, maxReplySize);
                        // One at a time unless the pool allows several async items per child: then the loop goes on to
                        // the next chunk while this one awaits.
                        if (TaskContext.AsyncLimiter is null) run.GetAwaiter().GetResult();
                        else asyncChunks.Track(run);
                    }
                    else RunChunk(frame, functions, brokenFunctions, replies, inbox, maxReplySize);
                    break;
                case FrameType.Shutdown:
                    asyncChunks.WaitAll(); // "finish what is queued": async chunks still running included
                    replies.Flush();
                    return 0;
                default:
                    throw new FrameFormatException($"unexpected frame {frame.Type} from the parent");
            }
        }
        return 0;
    }

    /// <summary>The status board the parent reads; without one (it could not be mapped) the parent falls back to chunk-level blame.</summary>
    private static StatusBoard? OpenBoard(string? path)
    {
        if (string.IsNullOrEmpty(path)) return null;
        try
        {
            var board = StatusBoard.Open(path);
            // The mapping outlives the name: unlinking here too leaves nothing in /dev/shm even when the parent dies
            // (kill -9) before it hears this child's hello.
            board.Unlink();
            return board;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"poolcluster child {Environment.ProcessId}: no status board ({e.Message}); deadlines and blame fall back to whole chunks");
            return null;
        }
    }

    private static void ReadUntilParentGone(FrameReader reader, BlockingCollection<Frame> inbox, PipeCalls calls, ChunkRevocations revocations)
    {
        try
        {
            while (reader.Read() is { } frame)
            {
                // Replies to shared-object calls go straight to the blocked caller, which may be the task loop itself.
                if (frame.Type == FrameType.ManagerResponse) calls.Complete(frame.Id, frame.Payload);
                // A revocation must overtake the queue it is about; the task loop may be busy for a long time.
                else if (frame.Type == FrameType.Revoke) revocations.Revoke(frame.Id);
                // A cancel must reach a chunk while it runs, so it never queues behind it.
                else if (frame.Type == FrameType.CancelTask) TaskContext.Running.Cancel(frame.Id);
                else
                {
                    if (frame.Type == FrameType.RunChunk) revocations.Received(frame.Id);
                    inbox.Add(frame);
                }
            }
        }
        catch (FrameFormatException e)
        {
            Console.Error.WriteLine($"poolcluster child {Environment.ProcessId}: malformed frame from the parent, exiting: {e.Message}");
            Environment.Exit(ChildExit.MalformedFrameCode);
        }
        catch (IOException)
        {
            // The parent closed or lost the pipe mid-read: the same news as a clean end of stream.
        }
        // End of stream: the parent closed the pipe or died. Exit now, even if user code is mid-task.
        Environment.Exit(0);
    }

    private static bool RunInitializer(byte[] payload, FrameWriter writer)
    {
        try
        {
            if (payload.Length > 0) Wire.FromBytes<Adapters.Initializer>(payload).Run();
            writer.Write(FrameType.Ready, Environment.ProcessId, 0, default);
            writer.Flush(); // the parent starts task clocks on Ready: it must not wait behind queued work
            return true;
        }
        catch (Exception e)
        {
            writer.Write(FrameType.InitFailed, Environment.ProcessId, 0, Wire.ToBytes(ErrorInfo.From(e)));
            writer.Flush();
            return false;
        }
    }

    private static void RunChunk(Frame frame, Dictionary<int, object> functions, Dictionary<int, ErrorInfo> broken, ReplyFlusher replies, BlockingCollection<Frame> inbox, int maxReplySize)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var notCancelled = TaskContext.BeginChunk(frame.Id);
        FrameType type;
        byte[] reply;
        try
        {
            if (!notCancelled) throw MapBody<int, int>.JobCancelled(0, 0);
            if (functions.TryGetValue(frame.Aux, out var body))
            {
                reply = CheckReplySize(((ITaskBody)body).RunChunk(frame.Payload), maxReplySize);
                type = FrameType.ChunkResult;
            }
            else
            {
                var error = broken.TryGetValue(frame.Aux, out var why)
                    ? why
                    : ErrorInfo.From(new InvalidOperationException($"function {frame.Aux} was never defined in this child"));
                reply = Wire.ToBytes(error);
                type = FrameType.ChunkFailed;
            }
        }
        catch (Exception e)
        {
            reply = Wire.ToBytes(ErrorInfo.From(e));
            type = FrameType.ChunkFailed;
        }
        // Idle before the reply leaves: once the parent has a task's reply, the board no longer names that task.
        TaskContext.EndChunk();
        var ran = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        // Aux: how long the chunk ran (µs), which the worker uses to decide how many chunks to keep queued here.
        var micros = type == FrameType.ChunkResult ? (int)Math.Min(int.MaxValue, ran.Ticks / TimeSpan.TicksPerMicrosecond) : 0;
        replies.Reply(type, frame.Id, micros, reply, moreWaiting: inbox.Count > 0, ran);
    }

    // Checked here, not by the parent's frame reader, which could only drop the child (a WorkerLostException).
    private static byte[] CheckReplySize(byte[] reply, int maxReplySize) =>
        reply.Length <= maxReplySize
            ? reply
            : throw new PayloadTooLargeException(
                $"The results of this task serialize to {reply.Length:N0} bytes, above the limit of {maxReplySize:N0} bytes " +
                "(poolcluster.pool.max-payload-size, or PoolOptions.MaxPayloadSize). Return less data per item, use a " +
                "smaller chunkSize, or raise the limit.", reply.Length, maxReplySize);

    /// <summary>A chunk of an async function: awaited, its reply sent whenever it ends (possibly out of order).</summary>
    private static async Task RunAsyncChunk(Frame frame, IAsyncTaskBody body, ReplyFlusher replies, int maxReplySize)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var chunk = TaskContext.Running.BeginChunk(frame.Id);
        FrameType type;
        byte[] reply;
        try
        {
            if (chunk is null) throw MapBody<int, int>.JobCancelled(0, 0);
            reply = CheckReplySize(await body.RunChunkAsync(frame.Payload, chunk).ConfigureAwait(false), maxReplySize);
            type = FrameType.ChunkResult;
        }
        catch (Exception e)
        {
            reply = Wire.ToBytes(ErrorInfo.From(e));
            type = FrameType.ChunkFailed;
        }
        if (chunk is not null) TaskContext.Running.EndChunk(chunk);
        var ran = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        var micros = type == FrameType.ChunkResult ? (int)Math.Min(int.MaxValue, ran.Ticks / TimeSpan.TicksPerMicrosecond) : 0;
        replies.Reply(type, frame.Id, micros, reply, moreWaiting: false, ran);
    }

    /// <summary>Async chunks running beside the task loop, so that a Shutdown waits for them.</summary>
    private sealed class PendingTasks
    {
        private readonly HashSet<Task> _running = [];

        public void Track(Task task)
        {
            lock (_running) _running.Add(task);
            task.ContinueWith(t => { lock (_running) _running.Remove(t); }, TaskContinuationOptions.ExecuteSynchronously);
        }

        public void WaitAll()
        {
            Task[] all;
            lock (_running) all = [.. _running];
            try { Task.WaitAll(all); }
            catch (AggregateException) { /* each chunk answered its own failure */ }
        }
    }
}
