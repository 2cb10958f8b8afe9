namespace PoolCluster.Manager;

/// <summary>The holder identity of a child process, computed alike by the child and by its worker actor.</summary>
internal static class PipeHolder
{
    public static string For(int childPid) => $"child:{Environment.MachineName}:{childPid}";
}
