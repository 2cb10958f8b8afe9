namespace PoolCluster.ClusterDemo;

/// <summary>What the demo's tasks run, in a child process of some worker node.</summary>
public static class DemoTasks
{
    /// <summary>Sleeps 100 ms, then says who ran it: the child's pid and the pid of its parent, the Pool.Node process.</summary>
    public static (int Item, int ChildPid, int NodePid) Work(int item)
    {
        Thread.Sleep(100);
        return (item, Environment.ProcessId, ParentPid());
    }

    /// <summary>Like <see cref="Work"/>; every 500th item fails, so the dashboard has failures to show.</summary>
    public static (int Item, int ChildPid, int NodePid) WorkOrFail(int item) =>
        item % 500 == 499 ? throw new InvalidOperationException($"item {item} fails on purpose (the demo's failure)") : Work(item);

    /// <summary>The parent pid from /proc/self/stat ("pid (comm) state ppid ..."); -1 where there is no /proc.</summary>
    private static int ParentPid()
    {
        try
        {
            var stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1]);
        }
        catch (Exception) { return -1; }
    }
}
