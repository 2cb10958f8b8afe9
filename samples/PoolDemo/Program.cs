// Python's multiprocessing.Pool example (docs.python.org, "Using a pool of workers"), translated line by line.
using PoolCluster;

static int F(int x) => x * x;

// start 4 worker processes
using (var pool = new WorkerPool(processes: 4))
{
    // print "[0, 1, 4,..., 81]"
    Console.WriteLine($"[{string.Join(", ", pool.Map(F, Enumerable.Range(0, 10)))}]");

    // print same numbers in arbitrary order
    foreach (var i in pool.ImapUnordered(F, Enumerable.Range(0, 10)))
        Console.WriteLine(i);

    // evaluate "F(20)" asynchronously
    var res = pool.ApplyAsync(F, 20);                            // runs in *only* one process
    Console.WriteLine(res.Get(timeout: TimeSpan.FromSeconds(1))); // prints "400"

    // evaluate "Environment.ProcessId" asynchronously
    var pid = pool.ApplyAsync(() => Environment.ProcessId);       // runs in *only* one process
    Console.WriteLine(pid.Get(timeout: TimeSpan.FromSeconds(1))); // prints the PID of that process

    // launching multiple evaluations asynchronously *may* use more processes
    var multipleResults = Enumerable.Range(0, 4).Select(_ => pool.ApplyAsync(() => Environment.ProcessId)).ToList();
    Console.WriteLine($"[{string.Join(", ", multipleResults.Select(r => r.Get(timeout: TimeSpan.FromSeconds(1))))}]");

    // make a single worker sleep for 10 seconds
    var sleeper = pool.ApplyAsync(Thread.Sleep, 10_000);
    try
    {
        sleeper.Get(timeout: TimeSpan.FromSeconds(1));
    }
    catch (TimeoutException)
    {
        Console.WriteLine("We lacked patience and got a TimeoutException");
    }

    Console.WriteLine("For the moment, the pool remains available for more work");
}

// exiting the 'using'-block has stopped the pool
Console.WriteLine("Now the pool is closed and no longer available");
