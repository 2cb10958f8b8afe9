namespace PoolCluster.Bench;

/// <summary>
/// The functions the benchmark's child processes run: the counterparts of the anchor's <c>square</c>,
/// <c>identity</c>, <c>burn</c> and <c>die</c>. They are static methods of this assembly, so a child resolves them
/// through <c>Pool.Bench.deps.json</c> as it would resolve any user application's functions.
/// </summary>
public static class Work
{
    /// <summary>The anchor's <c>square</c>.</summary>
    public static long Square(long x) => x * x;

    /// <summary>The anchor's <c>identity</c>, for 1 MB payloads.</summary>
    public static byte[] Identity(byte[] x) => x;

    /// <summary>The anchor's <c>burn</c>: a tight loop whose length <paramref name="k"/> is calibrated to ~50 ms.</summary>
    public static long Burn(long k)
    {
        long x = 0;
        for (long i = 0; i < k; i++) x += i;
        return x;
    }

    /// <summary>The anchor's <c>die</c>: the child exits at once while running a task.</summary>
    public static int Die(int code)
    {
        Environment.Exit(1);
        return code;
    }

    /// <summary>Sleeps <paramref name="ms"/> (a task of known length) and tells which node ran it (the child's parent).</summary>
    public static (int Ms, int NodePid) NapOnNode(int ms)
    {
        Thread.Sleep(ms);
        return (ms, PoolCluster.Child.ParentWatch.ParentOf("self") ?? 0);
    }

    /// <summary>The child's process id, to find a child's resident size.</summary>
    public static int ProcessId() => Environment.ProcessId;
}

/// <summary>
/// <see cref="Work"/>'s methods as delegates, created once: a method group converted inside a hot loop would
/// allocate a delegate per call, which is the caller's cost, not the pool's.
/// </summary>
public static class Fn
{
    /// <summary><see cref="Work.Square"/>.</summary>
    public static readonly Func<long, long> Square = Work.Square;

    /// <summary><see cref="Work.Identity"/>.</summary>
    public static readonly Func<byte[], byte[]> Identity = Work.Identity;

    /// <summary><see cref="Work.Burn"/>.</summary>
    public static readonly Func<long, long> Burn = Work.Burn;

    /// <summary><see cref="Work.Die"/>.</summary>
    public static readonly Func<int, int> Die = Work.Die;

    /// <summary><see cref="Work.NapOnNode"/>.</summary>
    public static readonly Func<int, (int Ms, int NodePid)> NapOnNode = Work.NapOnNode;

    /// <summary><see cref="Work.ProcessId"/>.</summary>
    public static readonly Func<int> ProcessId = Work.ProcessId;
}
