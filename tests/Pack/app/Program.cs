// The package smoke test's client: a fresh console app that references the PoolCluster package (not the project),
// joins the cluster started from the installed pool-seed/pool-node tools and maps over it.
//   dotnet run -- akka.tcp://pool@127.0.0.1:PORT
using PoolCluster;
using PoolCluster.WireFormat.Functions;

var seed = args.Length == 1 ? args[0] : throw new ArgumentException("usage: PackSmoke <seed address>");
using var pool = WorkerPool.Connect(seed, new PoolOptions { ConnectTimeout = TimeSpan.FromSeconds(60) });
// A client has no workers of its own, so every item below runs in a child of the installed node.
var squares = pool.Map(Square, Enumerable.Range(0, 100), chunkSize: 5);
var expected = Enumerable.Range(0, 100).Select(x => x * x).ToArray();
if (!squares.SequenceEqual(expected))
{
    Console.Error.WriteLine($"PackSmoke: wrong results: {string.Join(",", squares.Take(10))}...");
    return 1;
}
var pids = pool.Map(_ => Environment.ProcessId, Enumerable.Range(0, 4), chunkSize: 1).Distinct().ToArray();
if (pids.Contains(Environment.ProcessId))
{
    Console.Error.WriteLine("PackSmoke: an item ran in the client's own process");
    return 1;
}
Console.WriteLine($"PackSmoke: mapped 100 items over the cluster ({pool.Processes} processes; children {string.Join(",", pids)})");
return 0;

static int Square(int x) => x * x;
