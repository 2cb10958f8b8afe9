#!/usr/bin/env python3
"""Starts bare pool children (no pool, no actor system) and reports each one's spawn -> Ready and CPU time to Ready.

The child's side of issue 13's start measurements, with any environment: extra KEY=VALUE arguments go to the
child only, e.g. DOTNET_TieredCompilation=0 or DOTNET_JitStdOutFile=/tmp/jit.txt DOTNET_JitDisasmSummary=1.
The parent side is this script: a Unix socket where .NET's NamedPipeClientStream looks for the pipe, the Init frame
as WorkerActor sends it (default limits, no initializer), then Shutdown.

    python3 bench/child_start_probe.py [--reps N] [--app bench/bin/Release/net10.0/Pool.Bench] [KEY=VALUE ...]
"""
import argparse, os, socket, statistics, struct, subprocess, sys, tempfile, time

HEADER = struct.Struct("<iBqi")  # length (of the rest), type, id, aux: ChildProcess/FrameWriter.cs
INIT, SHUTDOWN, HELLO, READY = 1, 4, 10, 11


def read_frame(conn):
    head = b""
    while len(head) < HEADER.size:
        chunk = conn.recv(HEADER.size - len(head))
        if not chunk:
            raise EOFError("child closed the pipe")
        head += chunk
    length, kind, ident, aux = HEADER.unpack(head)
    rest = length - (HEADER.size - 4)
    while rest > 0:
        rest -= len(conn.recv(rest))
    return kind


def cpu_ms(pid):
    """CPU time of the live threads in ns resolution (schedstat), not the 10 ms ticks of /proc/PID/stat."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        except FileNotFoundError:
            pass
    return total / 1e6


def mem_kb(pid, path, key):
    with open(f"/proc/{pid}/{path}") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1])


def one(app, env, idle):
    name = f"probe-{os.getpid()}-{time.monotonic_ns()}"
    path = os.path.join(tempfile.gettempdir(), "CoreFxPipe_" + name)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    cmd = ["dotnet", "exec", "--runtimeconfig", app + ".runtimeconfig.json", "--depsfile", app + ".deps.json",
           os.path.join(os.path.dirname(app), "Pool.Core.dll"), "--pool-child", name, str(2**31 - 1), str(os.getpid())]
    child_env = dict(os.environ, DOTNET_gcServer="0", DOTNET_gcConcurrent="0", DOTNET_TieredPGO="0", **env)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=child_env)
    conn, _ = server.accept()
    os.unlink(path)
    assert read_frame(conn) == HELLO
    conn.sendall(HEADER.pack(HEADER.size - 4, INIT, 0, 0))
    assert read_frame(conn) == READY
    wall = time.perf_counter() - start
    cpu = cpu_ms(proc.pid)
    rss = pss = None
    if idle:
        time.sleep(idle)
        rss, pss = mem_kb(proc.pid, "status", "VmRSS:") / 1024, mem_kb(proc.pid, "smaps_rollup", "Pss:") / 1024
    conn.sendall(HEADER.pack(HEADER.size - 4, SHUTDOWN, 0, 0))
    _, _, usage = os.wait4(proc.pid, 0)
    conn.close()
    server.close()
    return wall, cpu, rss, pss, (usage.ru_utime + usage.ru_stime) * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--app", default="bench/bin/Release/net10.0/Pool.Bench")
    parser.add_argument("--idle", type=float, default=0, help="seconds to idle after Ready before reading RSS/PSS")
    parser.add_argument("env", nargs="*")
    args = parser.parse_args()
    env = dict(kv.split("=", 1) for kv in args.env)
    runs = [one(args.app, env, args.idle) for _ in range(args.reps)]
    wall = [r[0] * 1000 for r in runs]
    cpu = [r[1] for r in runs]
    life = [r[4] for r in runs]
    line = (f"{' '.join(args.env) or 'baseline'}: spawn->Ready median {statistics.median(wall):.0f} ms "
            f"(min {min(wall):.0f}), CPU to Ready median {statistics.median(cpu):.1f} ms (min {min(cpu):.1f}), "
            f"whole life {statistics.median(life):.1f} ms")
    if args.idle:
        line += f", idle RSS {statistics.median(r[2] for r in runs):.1f} MB, PSS {statistics.median(r[3] for r in runs):.1f} MB"
    print(line)


if __name__ == "__main__":
    sys.exit(main())
