using PoolCluster.WireFormat.Frames;

namespace PoolCluster.Worker.ChildProcess;

/// <summary>
/// Receives what a child does. Called from the child's I/O threads: implementations hand over to their own
/// thread (the worker actor forwards everything to itself as messages).
/// </summary>
internal interface IChildListener
{
    void OnFrame(ChildProcessHandle child, Frame frame);
    /// <summary>Several frames that arrived together (one pipe read), in order.</summary>
    void OnFrames(ChildProcessHandle child, IReadOnlyList<Frame> frames);
    void OnOutput(ChildProcessHandle child, string line, bool isError);
    void OnExited(ChildProcessHandle child, ChildExit exit);
}
