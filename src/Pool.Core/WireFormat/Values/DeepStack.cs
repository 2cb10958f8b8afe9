using System.Runtime.ExceptionServices;
using PoolCluster.WireFormat.Messages;

namespace PoolCluster.WireFormat.Values;

/// <summary>
/// Runs a (de)serialization on a thread whose stack holds <see cref="ValueDepthGuard.MaxDepth"/> levels of nesting.
/// Only values that outgrow the calling thread's stack come here (see <see cref="PayloadSerializer"/>): flat values
/// never pay for the hop.
/// </summary>
/// <remarks>
/// Linux and Windows commit thread stacks page by page as they are used, so a large reservation costs address space,
/// not memory, until a deep value actually fills it.
/// </remarks>
internal static class DeepStack
{
    /// <summary>Stack bytes budgeted per level of nesting. Measured on .NET 10 x64 (ValueDepthTests, Debug build):
    /// Hyperion takes ~130 bytes per level to write and ~330 to read; this leaves room for other runtimes and builds.</summary>
    internal const int BytesPerLevel = 1024;

    private const long MinStack = 16L * 1024 * 1024;

    /// <summary>The largest stack reserved, whatever the limit (~3 million levels at the measured cost).</summary>
    internal const long MaxStack = 1024L * 1024 * 1024;

    [ThreadStatic] private static bool t_isDeepStackThread;

    /// <summary>True on a thread started by <see cref="Run{T}"/>: it has no bigger stack to retry on.</summary>
    public static bool IsDeepStackThread => t_isDeepStackThread;

    /// <summary>The stack reserved for <paramref name="maxDepth"/> levels.</summary>
    internal static int StackSizeFor(int maxDepth) =>
        (int)Math.Clamp((long)maxDepth * BytesPerLevel + MinStack, MinStack, MaxStack);

    /// <summary>Runs <paramref name="work"/> on a new thread with a stack for the current depth limit and waits for it.</summary>
    public static T Run<T>(Func<T> work)
    {
        T result = default!;
        ExceptionDispatchInfo? error = null;
        var thread = new Thread(() =>
        {
            t_isDeepStackThread = true;
            try { result = work(); }
            catch (Exception e) { error = ExceptionDispatchInfo.Capture(e); }
        }, StackSizeFor(ValueDepthGuard.MaxDepth)) { IsBackground = true, Name = "poolcluster-deep-value" };
        thread.Start();
        thread.Join();
        error?.Throw();
        return result;
    }
}
