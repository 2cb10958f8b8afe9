namespace PoolCluster.Bench;

/// <summary>
/// Problem sizes, copied from the anchor's <c>FULL</c> and <c>QUICK</c> tables so both sides always measure the same N.
/// </summary>
/// <param name="MapDefaultLarge">a: Map with the default chunk size, large N (anchor <c>a_n1</c>).</param>
/// <param name="MapDefaultSmall">a: Map with the default chunk size, small N (anchor <c>a_n2</c>).</param>
/// <param name="MapChunk1">b: Map with chunk size 1.</param>
/// <param name="Imap">c: Imap and ImapUnordered with chunk size 1.</param>
/// <param name="ApplyAsync">d: ApplyAsync all, then Get all.</param>
/// <param name="ApplySequential">e: sequential Apply round trips.</param>
/// <param name="BurnTasks">f: CPU-bound tasks of ~50 ms each.</param>
/// <param name="StartupReps">g: pool life cycles; the median is reported.</param>
/// <param name="MaxTasksPerChild1">h: tasks on a pool that replaces its child after every task.</param>
/// <param name="Payloads">i: 1 MB payloads.</param>
/// <param name="ExecutorMap">j: Map with chunk size 1000 (the anchor's ProcessPoolExecutor.map).</param>
/// <param name="ExecutorSubmit">j: ApplyAsync all (the anchor's ProcessPoolExecutor.submit).</param>
/// <param name="KillTimeout">kill: the Get timeout while a child dies mid-task.</param>
public sealed record Sizes(
    int MapDefaultLarge, int MapDefaultSmall, int MapChunk1, int Imap, int ApplyAsync, int ApplySequential,
    int BurnTasks, int StartupReps, int MaxTasksPerChild1, int Payloads, int ExecutorMap, int ExecutorSubmit,
    TimeSpan KillTimeout)
{
    /// <summary>The anchor's full run.</summary>
    public static Sizes Full { get; } = new(1_000_000, 100_000, 20_000, 20_000, 20_000, 5_000,
        40, 10, 1_000, 200, 100_000, 20_000, TimeSpan.FromSeconds(10));

    /// <summary>The anchor's <c>--quick</c> run.</summary>
    public static Sizes Quick { get; } = new(100_000, 10_000, 2_000, 2_000, 2_000, 500,
        8, 3, 100, 20, 10_000, 2_000, TimeSpan.FromSeconds(2));
}
