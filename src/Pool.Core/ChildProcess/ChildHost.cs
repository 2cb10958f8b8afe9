using System.Collections.Concurrent;
using PoolCluster.Serialization;
using PoolCluster.Tasks;

namespace PoolCluster.ChildProcess;

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
        if (pipe is null) return 5;
        var writer = new FrameWriter(pipe);
        var reader = new FrameReader(pipe, maxFrameSize);
        var inbox = new BlockingCollection<Frame>(new ConcurrentQueue<Frame>());
        var replies = new ReplyFlusher(writer);
        // Environment.Exit in user code (or anywhere) must not lose replies of tasks that already finished.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => writer.TryFlush(TimeSpan.FromSeconds(1));

        writer.Write(FrameType.Hello, Environment.ProcessId, 0, default);
        writer.Flush();
        var managerChannel = new PipeManagerChannel(writer);
        Manager.ManagerChannel.Install(managerChannel);

        var revocations = new ChunkRevocations(writer);
        var readerThread = new Thread(() => ReadUntilParentGone(reader, inbox, managerChannel, revocations)) { IsBackground = true, Name = "pool-child-reader" };
        readerThread.Start();

        TaskContext.InWorker = true;
        var maxReplySize = int.MaxValue;
        var functions = new Dictionary<int, ITaskBody>();
        var brokenFunctions = new Dictionary<int, ErrorInfo>();
        foreach (var frame in inbox.GetConsumingEnumerable())
        {
            switch (frame.Type)
            {
                case FrameType.Init:
                    TaskContext.Configure(TimeSpan.FromMilliseconds(frame.Aux), board);
                    (maxReplySize, var maxValueDepth) = ChildLimits.Unpack(frame.Id);
                    ValueDepthGuard.Set(maxValueDepth);
                    if (!RunInitializer(frame.Payload, writer)) return 3;
                    break;
                case FrameType.DefineFunction:
                    try { functions[(int)frame.Id] = Wire.FromBytes<ITaskBody>(frame.Payload); }
                    catch (Exception e) { brokenFunctions[(int)frame.Id] = ErrorInfo.From(e); }
                    break;
                case FrameType.RunChunk:
                    if (revocations.Start(frame.Id)) RunChunk(frame, functions, brokenFunctions, replies, inbox, maxReplySize);
                    break;
                case FrameType.Shutdown:
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

    private static void ReadUntilParentGone(FrameReader reader, BlockingCollection<Frame> inbox, PipeManagerChannel managerChannel, ChunkRevocations revocations)
    {
        try
        {
            while (reader.Read() is { } frame)
            {
                // Replies to shared-object calls go straight to the blocked caller, which may be the task loop itself.
                if (frame.Type == FrameType.ManagerResponse) managerChannel.Complete(frame.Id, frame.Payload);
                // A revocation must overtake the queue it is about; the task loop may be busy for a long time.
                else if (frame.Type == FrameType.Revoke) revocations.Revoke(frame.Id);
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
            Environment.Exit(4);
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

    private static void RunChunk(Frame frame, Dictionary<int, ITaskBody> functions, Dictionary<int, ErrorInfo> broken, ReplyFlusher replies, BlockingCollection<Frame> inbox, int maxReplySize)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        TaskContext.BeginChunk(frame.Id);
        FrameType type;
        byte[] reply;
        try
        {
            if (functions.TryGetValue(frame.Aux, out var body))
            {
                reply = body.RunChunk(frame.Payload);
                // Checked here, not by the parent's frame reader, which could only drop the child (a WorkerLostException).
                if (reply.Length > maxReplySize)
                {
                    throw new PayloadTooLargeException(
                        $"The results of this task serialize to {reply.Length:N0} bytes, above the limit of {maxReplySize:N0} bytes " +
                        "(poolcluster.pool.max-payload-size, or PoolOptions.MaxPayloadSize). Return less data per item, use a " +
                        "smaller chunkSize, or raise the limit.", reply.Length, maxReplySize);
                }
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
}
