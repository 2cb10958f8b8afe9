using System.Collections.Concurrent;
using System.IO.Pipes;
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

    public static int Run(string pipeName, int maxFrameSize, int parentPid)
    {
        // Ctrl+C in a terminal signals the whole process group, children included. A child's life is its parent's
        // business: it finishes its task and exits when the parent closes the pipe (a graceful drain), not on SIGINT.
        using var ignoreInterrupt = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGINT, context => context.Cancel = true);
        ShippedAssemblyResolver.Install(Environment.GetEnvironmentVariable(ChildLauncher.ShippedAssembliesVariable));
        using var pipe = new NamedPipeClientStream(".", pipeName, PipeDirection.InOut, PipeOptions.None);
        if (!ConnectWhileParentLives(pipe, parentPid)) return 5;
        var writer = new FrameWriter(pipe);
        var reader = new FrameReader(pipe, maxFrameSize);
        var inbox = new BlockingCollection<Frame>(new ConcurrentQueue<Frame>());

        writer.Write(FrameType.Hello, Environment.ProcessId, 0, default);
        writer.Flush();
        var managerChannel = new PipeManagerChannel(writer);
        Manager.ManagerChannel.Install(managerChannel);

        var revocations = new ChunkRevocations(writer);
        var readerThread = new Thread(() => ReadUntilParentGone(reader, inbox, managerChannel, revocations)) { IsBackground = true, Name = "pool-child-reader" };
        readerThread.Start();

        TaskContext.InWorker = true;
        var softTimeout = TimeSpan.Zero;
        var functions = new Dictionary<int, ITaskBody>();
        var brokenFunctions = new Dictionary<int, ErrorInfo>();
        foreach (var frame in inbox.GetConsumingEnumerable())
        {
            switch (frame.Type)
            {
                case FrameType.Init:
                    softTimeout = TimeSpan.FromMilliseconds(frame.Aux);
                    if (!RunInitializer(frame.Payload, writer)) return 3;
                    break;
                case FrameType.DefineFunction:
                    try { functions[(int)frame.Id] = Wire.FromBytes<ITaskBody>(frame.Payload); }
                    catch (Exception e) { brokenFunctions[(int)frame.Id] = ErrorInfo.From(e); }
                    break;
                case FrameType.RunChunk:
                    if (revocations.Start(frame.Id)) RunChunk(frame, functions, brokenFunctions, writer, softTimeout);
                    break;
                case FrameType.Shutdown:
                    writer.Flush();
                    return 0;
                default:
                    throw new FrameFormatException($"unexpected frame {frame.Type} from the parent");
            }
            // Batch replies: flush only when no more work is already waiting.
            if (inbox.Count == 0) writer.Flush();
        }
        return 0;
    }

    /// <summary>
    /// Connects in short attempts, giving up as soon as the parent is gone: a child still starting when its parent
    /// dies must not linger for a whole connect timeout.
    /// </summary>
    private static bool ConnectWhileParentLives(NamedPipeClientStream pipe, int parentPid)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                pipe.Connect(TimeSpan.FromMilliseconds(200));
                return true;
            }
            catch (TimeoutException) { }
            catch (IOException) { Thread.Sleep(50); }
            if (!ParentWatch.IsAlive(parentPid)) return false;
        }
        return false;
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

    private static void RunChunk(Frame frame, Dictionary<int, ITaskBody> functions, Dictionary<int, ErrorInfo> broken, FrameWriter writer, TimeSpan softTimeout)
    {
        using var deadline = softTimeout > TimeSpan.Zero ? new CancellationTokenSource(softTimeout) : null;
        TaskContext.Begin(deadline?.Token ?? CancellationToken.None);
        byte[] reply;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            if (!functions.TryGetValue(frame.Aux, out var body))
            {
                var error = broken.TryGetValue(frame.Aux, out var why)
                    ? why
                    : ErrorInfo.From(new InvalidOperationException($"function {frame.Aux} was never defined in this child"));
                writer.Write(FrameType.ChunkFailed, frame.Id, 0, Wire.ToBytes(error));
                return;
            }
            reply = body.RunChunk(frame.Payload);
        }
        catch (Exception e)
        {
            writer.Write(FrameType.ChunkFailed, frame.Id, 0, Wire.ToBytes(ErrorInfo.From(e)));
            return;
        }
        // Aux: how long the chunk ran (µs), which the worker uses to decide how many chunks to keep queued here.
        var micros = System.Diagnostics.Stopwatch.GetElapsedTime(started).Ticks / TimeSpan.TicksPerMicrosecond;
        writer.Write(FrameType.ChunkResult, frame.Id, (int)Math.Min(int.MaxValue, micros), reply);
    }
}
