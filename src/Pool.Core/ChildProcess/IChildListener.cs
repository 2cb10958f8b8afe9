namespace PoolCluster.ChildProcess;

/// <summary>
/// Receives what a child does. Called from the child's I/O threads: implementations hand over to their own
/// thread (the worker actor forwards everything to itself as messages).
/// </summary>
internal interface IChildListener
{
    void OnFrame(ChildProcessHandle child, Frame frame);
    void OnOutput(ChildProcessHandle child, string line, bool isError);
    void OnExited(ChildProcessHandle child, ChildExit exit);
}
