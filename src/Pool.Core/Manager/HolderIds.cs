namespace PoolCluster.Manager;

/// <summary>
/// Lock holders are threads: the channel's process identity plus the managed thread id, so that two threads of one
/// process exclude each other as in Python. A process's death releases everything its threads held (prefix match).
/// </summary>
internal static class HolderIds
{
    public static string Current(IManagerChannel channel) => channel.Holder + "/t" + Environment.CurrentManagedThreadId;

    /// <summary>Identity of a process that talks to managers through an actor system (a caller, not a child).</summary>
    public static string ForThisProcess() => $"process:{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>True when <paramref name="holder"/> is <paramref name="gone"/> itself or one of its threads.</summary>
    public static bool BelongsTo(string holder, string gone) =>
        holder.Length == gone.Length ? holder == gone : holder.StartsWith(gone, StringComparison.Ordinal) && holder[gone.Length] == '/';
}
