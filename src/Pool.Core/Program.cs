using PoolCluster.Child;
using PoolCluster.WireFormat.Functions;
using PoolCluster.Worker.ChildProcess;

namespace PoolCluster;

/// <summary>Entry point used only when Pool.Core.dll is started as a pool's child process.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length >= 2 && args[0] == ChildHost.ChildArgument)
        {
            var maxFrame = args.Length >= 3 && int.TryParse(args[2], out var m) ? m : int.MaxValue;
            var parent = args.Length >= 4 && int.TryParse(args[3], out var p) ? p : 0;
            var board = args.Length >= 5 ? args[4] : null;
            return ChildHost.Run(args[1], maxFrame, parent, board);
        }
        Console.Error.WriteLine("Pool.Core.dll is a library; it runs as a program only as a PoolCluster child process.");
        return 2;
    }
}
