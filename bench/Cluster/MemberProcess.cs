using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using PoolCluster.Cluster;

namespace PoolCluster.Bench.Cluster;

/// <summary>
/// A Pool.Seed or Pool.Node run as a separate OS process (<c>dotnet Program.dll ...</c>), as samples/ClusterDemo
/// starts them. The demo's own MemberProcess prints to stdout (where the bench's table goes), so the bench keeps this
/// quiet variant: it only remembers the last lines of output for an error message. Stopping sends SIGTERM (a graceful
/// leave) and kills the process tree after a bound. Every process still alive when the bench process exits (a scenario
/// that overran its limit is abandoned, then <c>Environment.Exit</c>) is killed by a ProcessExit hook.
/// </summary>
internal sealed class MemberProcess : IDisposable
{
    private static readonly ConcurrentDictionary<MemberProcess, byte> Alive = new();
    private const int TailLines = 30;

    private readonly Process _process;
    private readonly string _program; // whose up line (MemberUpLine) says it is up
    private readonly Queue<string> _tail = new();
    private readonly TaskCompletionSource<string> _up = new(TaskCreationOptions.RunContinuationsAsynchronously);

    static MemberProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var member in Alive.Keys) member.KillNow();
    };

    private MemberProcess(string name, Process process, string program)
    {
        Name = name;
        _process = process;
        _program = program;
    }

    /// <summary>Seed or node1, node2, ...</summary>
    public string Name { get; }

    /// <summary>The OS process id.</summary>
    public int Pid => _process.Id;

    /// <summary>Starts <c>dotnet <paramref name="dll"/> <paramref name="args"/></c>; it is up once it prints
    /// the up line (<see cref="MemberUpLine"/>) of <paramref name="program"/>, which gives its address.</summary>
    public static MemberProcess Start(string name, string dll, string program, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var member = new MemberProcess(name, process, program);
        process.OutputDataReceived += (_, e) => member.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => member.OnLine(e.Data);
        process.Exited += (_, _) => member._up.TrySetException(
            new InvalidOperationException($"{name} exited with code {process.ExitCode} before it was up; last output: {member.Tail()}"));
        process.Start();
        Alive[member] = 0;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return member;
    }

    /// <summary>Waits for the "up" line; returns the member's address.</summary>
    /// <exception cref="TimeoutException">Not up within <paramref name="timeout"/>.</exception>
    public string WaitUp(TimeSpan timeout)
    {
        try
        {
            return _up.Task.WaitAsync(timeout).GetAwaiter().GetResult();
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Name} did not report it was up within {timeout.TotalSeconds:0.#} s; last output: {Tail()}");
        }
    }

    /// <summary>The last lines the process printed, joined with " | ".</summary>
    public string Tail()
    {
        lock (_tail) return _tail.Count == 0 ? "(none)" : string.Join(" | ", _tail);
    }

    /// <summary>SIGTERM, then waits up to <paramref name="grace"/>, then kills the process tree (waiting up to 5 s more).
    /// Returns how it ended, for the log.</summary>
    public string Stop(TimeSpan grace)
    {
        try
        {
            if (_process.HasExited) return $"{Name} had already exited (code {_process.ExitCode})";
            if (OperatingSystem.IsWindows()) _process.Kill(entireProcessTree: true);
            else _ = SendSignal(_process.Id, SigTerm);
            if (_process.WaitForExit(grace)) return $"{Name} exited with code {_process.ExitCode}";
            _process.Kill(entireProcessTree: true);
            return _process.WaitForExit(TimeSpan.FromSeconds(5))
                ? $"{Name} did not exit within {grace.TotalSeconds:0} s of SIGTERM: killed"
                : $"{Name} (pid {Pid}) did not exit even after kill";
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return $"stopping {Name}: {e.Message}";
        }
        finally
        {
            if (HasExited()) Alive.TryRemove(this, out _);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!HasExited()) KillNow();
        Alive.TryRemove(this, out _);
        _process.Dispose();
    }

    private bool HasExited()
    {
        try { return _process.HasExited; }
        catch (InvalidOperationException) { return true; }
    }

    private void KillNow()
    {
        try { _process.Kill(entireProcessTree: true); }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException) { }
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_tail)
        {
            _tail.Enqueue(line);
            if (_tail.Count > TailLines) _tail.Dequeue();
        }
        if (MemberUpLine.TryParse(line, out var up) && up.Program == _program) _up.TrySetResult(up.Address);
    }

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
