using System.IO.Pipes;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using PoolCluster.Worker.ChildProcess;

namespace PoolCluster.Child;

/// <summary>
/// The child's end of the parent's pipe. On Linux that pipe is a Unix domain socket at the path .NET's
/// <see cref="NamedPipeServerStream"/> binds; connecting to it with <c>socket()/connect()</c> and reading and writing it
/// through an unbuffered <see cref="FileStream"/> keeps System.Net.Sockets out of the child: no socket telemetry
/// (EventSource, DiagnosticSource), no socket engine thread, five assemblies fewer before Ready. Elsewhere it is a
/// <see cref="NamedPipeClientStream"/>. Either way the bytes on the wire are the same.
/// </summary>
internal static class ParentPipe
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Connects in short attempts, giving up (null) as soon as the parent is gone: a child still starting when
    /// its parent dies must not linger for a whole connect timeout.</summary>
    public static Stream? Connect(string pipeName, int parentPid) =>
        OperatingSystem.IsLinux() ? ConnectUnixSocket(pipeName, parentPid) : ConnectNamedPipe(pipeName, parentPid);

    private static Stream? ConnectNamedPipe(string pipeName, int parentPid)
    {
        var pipe = new NamedPipeClientStream(".", pipeName, PipeDirection.InOut, PipeOptions.None);
        var deadline = DateTime.UtcNow + ConnectTimeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                pipe.Connect(TimeSpan.FromMilliseconds(200));
                return pipe;
            }
            catch (TimeoutException) { }
            catch (IOException) { Thread.Sleep(50); }
            if (!ParentWatch.IsAlive(parentPid)) break;
        }
        pipe.Dispose();
        return null;
    }

    private static Stream? ConnectUnixSocket(string pipeName, int parentPid)
    {
        // Where NamedPipeServerStream binds on Unix: a rooted name as is, otherwise CoreFxPipe_<name> in the temp directory.
        var path = Path.IsPathRooted(pipeName) ? pipeName : Path.Combine(Path.GetTempPath(), "CoreFxPipe_" + pipeName);
        var deadline = DateTime.UtcNow + ConnectTimeout;
        while (DateTime.UtcNow < deadline)
        {
            var fd = socket(AddressFamilyUnix, SocketStream | SocketCloseOnExec, 0);
            if (fd < 0) throw new IOException($"socket(AF_UNIX) failed: errno {Marshal.GetLastPInvokeError()}");
            var handle = new SafeFileHandle(fd, ownsHandle: true);
            var error = ConnectTo(fd, path);
            if (error == 0) return new FileStream(handle, FileAccess.ReadWrite, bufferSize: 0); // unbuffered: FrameWriter/FrameReader buffer
            handle.Dispose();
            // Not listening yet (or gone): retry while the parent lives.
            if (error is not (ENOENT or ECONNREFUSED or EAGAIN or EINTR))
                throw new IOException($"connect({path}) failed: errno {error}");
            if (!ParentWatch.IsAlive(parentPid)) return null;
            Thread.Sleep(20);
        }
        return null;
    }

    /// <summary>connect() on a <c>sockaddr_un</c> (Linux layout: a 2-byte family, then the path); 0 or errno.</summary>
    private static unsafe int ConnectTo(int fd, string path)
    {
        var bytes = Encoding.UTF8.GetBytes(path);
        const int PathCapacity = 108;
        if (bytes.Length >= PathCapacity) throw new IOException($"the pipe path is too long for a Unix socket: {path}");
        var address = stackalloc byte[2 + PathCapacity];
        new Span<byte>(address, 2 + PathCapacity).Clear();
        *(ushort*)address = AddressFamilyUnix;
        bytes.CopyTo(new Span<byte>(address + 2, PathCapacity));
        return connect(fd, address, 2 + bytes.Length + 1) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    private const ushort AddressFamilyUnix = 1;
    private const int SocketStream = 1;
    private const int SocketCloseOnExec = 0x80000; // a process started by user code must not inherit the parent's pipe
    private const int ENOENT = 2, EINTR = 4, EAGAIN = 11, ECONNREFUSED = 111;

    [DllImport("libc", SetLastError = true)]
    private static extern int socket(int domain, int type, int protocol);

    [DllImport("libc", SetLastError = true)]
    private static extern unsafe int connect(int fd, byte* address, int length);
}
