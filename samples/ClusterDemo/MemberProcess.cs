using System.Diagnostics;
using System.Runtime.InteropServices;
using PoolCluster.Cluster;
using System.Text.RegularExpressions;

namespace PoolCluster.ClusterDemo;

/// <summary>A Pool.Seed or Pool.Node started as a separate OS process (<c>dotnet Program.dll ...</c>), its output
/// echoed with a prefix. Stopping it sends SIGTERM (a graceful leave) and kills it if it has not exited in time.</summary>
internal sealed class MemberProcess : IDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource<string> _up = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _program; // whose up line (MemberUpLine) says it is up
    private readonly Func<string, bool> _echo;

    public string Name { get; }
    public int Pid => _process.Id;
    public string? Address => _up.Task.IsCompletedSuccessfully ? _up.Task.Result : null;

    private MemberProcess(string name, Process process, string program, Func<string, bool> echo)
    {
        Name = name;
        _process = process;
        _program = program;
        _echo = echo;
    }

    /// <summary>Starts <c>dotnet <paramref name="dll"/> <paramref name="args"/></c>; its up line (<see cref="MemberUpLine"/>
    /// of <paramref name="program"/>) gives the member address; output lines for which <paramref name="echo"/> is true are printed with the name as prefix.</summary>
    public static MemberProcess Start(string name, string dll, string program, Func<string, bool> echo, params string[] args)
    {
        if (!File.Exists(dll)) throw new FileNotFoundException($"{dll} not found: build the solution first (dotnet build PoolCluster.sln)", dll);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var member = new MemberProcess(name, process, program, echo);
        process.OutputDataReceived += (_, e) => member.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => member.OnLine(e.Data);
        process.Exited += (_, _) => member._up.TrySetException(new InvalidOperationException($"{name} exited with code {process.ExitCode} before it was up"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Console.WriteLine($"[demo] started {name} (pid {process.Id}): dotnet {Path.GetFileName(dll)} {string.Join(' ', args)}");
        return member;
    }

    /// <summary>Waits for the program's "up" line; returns the member's address.</summary>
    public Task<string> WaitUpAsync(TimeSpan timeout, CancellationToken cancel) =>
        _up.Task.WaitAsync(timeout, cancel).ContinueWith(t => t.Status == TaskStatus.Faulted && t.Exception!.InnerException is TimeoutException
            ? throw new TimeoutException($"{Name} did not report it was up within {timeout.TotalSeconds:0} s")
            : t).Unwrap();

    /// <summary>SIGTERM (graceful leave), then waits up to <paramref name="timeout"/>, then kills the process tree.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        try
        {
            if (!_process.HasExited)
            {
                if (OperatingSystem.IsWindows()) _process.Kill(entireProcessTree: true);
                else _ = Kill(_process.Id, SigTerm);
            }
            using var wait = new CancellationTokenSource(timeout);
            try { await _process.WaitForExitAsync(wait.Token); }
            catch (OperationCanceledException)
            {
                Console.WriteLine($"[demo] {Name} did not exit within {timeout.TotalSeconds:0} s of SIGTERM: killing it");
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            }
            Console.WriteLine($"[demo] {Name} exited with code {_process.ExitCode}");
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            Console.WriteLine($"[demo] stopping {Name}: {e.Message}");
        }
    }

    public void Dispose() => _process.Dispose();

    /// <summary>The first group of the first line printed so far that matches <paramref name="pattern"/>, if any.</summary>
    public string? FirstLine(Regex pattern)
    {
        lock (_lines) return _lines.Select(l => pattern.Match(l)).FirstOrDefault(m => m.Success)?.Groups[1].Value;
    }

    private readonly List<string> _lines = [];

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_lines) if (_lines.Count < 200) _lines.Add(line); // the start-up lines are what is looked for
        if (_echo(line)) Console.WriteLine($"[{Name}] {line}");
        if (MemberUpLine.TryParse(line, out var up) && up.Program == _program) _up.TrySetResult(up.Address);
    }

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
