// Maps slow items over a pool with a live progress bar; Ctrl+C cancels the job cleanly: the children are gone and
// the console says how many items finished.
//   dotnet run --project samples/ProgressDemo [-- ITEMS [MS_PER_ITEM]]
using PoolCluster;
using Spectre.Console;

var items = args.Length > 0 ? int.Parse(args[0]) : 200;
var msPerItem = args.Length > 1 ? int.Parse(args[1]) : 100;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true; // keep the process: the job is cancelled and the pool disposed below, children included
    cancel.Cancel();
};

JobProgress? last = null;
var pool = new WorkerPool(processes: 4);
try
{
    await AnsiConsole.Progress()
        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
        .StartAsync(async ctx =>
        {
            var bar = ctx.AddTask($"{items} items of {msPerItem} ms on {pool.Processes} processes", maxValue: items);
            var progress = new Progress<JobProgress>(p =>
            {
                last = p;
                bar.Value = p.Completed + p.Failed;
            });
            await pool.MapAsync(SlowSquare(msPerItem), Enumerable.Range(0, items), chunkSize: 1, progress: progress, cancellationToken: cancel.Token);
            bar.Value = items;
        });
    AnsiConsole.MarkupLine($"[green]Done:[/] all {items} items finished.");
}
catch (OperationCanceledException)
{
    AnsiConsole.MarkupLine($"[yellow]Cancelled:[/] {last?.Completed ?? 0} of {items} items finished ({last?.Failed ?? 0} failed).");
}
finally
{
    pool.Dispose(); // returns once every child process is gone
    AnsiConsole.MarkupLine("The pool and its child processes are gone.");
}

// Its own scope: a lambda written among the locals above would share their closure (and the CancellationTokenSource
// in it cannot travel to a child).
static Func<int, int> SlowSquare(int ms) => x =>
{
    Thread.Sleep(ms);
    return x * x;
};
