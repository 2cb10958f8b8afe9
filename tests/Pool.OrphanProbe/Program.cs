using PoolCluster;

var processes = args.Length > 0 ? int.Parse(args[0]) : 2;
var pool = new WorkerPool(processes);
var pids = pool.Map(PidOf, Enumerable.Range(0, processes * 8), chunkSize: 1).Distinct().ToList();
// Keep every child busy in a task, so that the parent dies while work is in flight.
for (var i = 0; i < processes; i++) pool.ApplyAsync(Thread.Sleep, 60_000);
Console.WriteLine("PIDS " + string.Join(",", pids));
Console.Out.Flush();
Thread.Sleep(TimeSpan.FromMinutes(2)); // the test kills this process long before
return 0;

static int PidOf(int _) => Environment.ProcessId;
