using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using PSContainer.Interop.Linux;

namespace PSContainer.Runc.IntegrationTests;

/// <summary>
/// The receiving end of a runtime's SCM_RIGHTS messages: --console-socket (the pty master, payload
/// the pts name) and linux.seccomp.listenerPath (the notification fd, payload the process state).
/// Also reads and writes a pty master.
/// </summary>
public sealed unsafe class FdSocket : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);

    public FdSocket(string path)
    {
        Path = path;
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        _listener.Listen(4);
    }

    public string Path { get; }

    /// <summary>
    /// Accepts the runtime's connection and receives one fd. The runtime connects and sends during
    /// `create`/`exec`, so this can run after it returned: the message waits in the socket.
    /// </summary>
    public (int Fd, string Payload) Receive(int payloadBytes = 256)
    {
        using var connection = _listener.Accept();
        var name = new byte[payloadBytes];
        var control = stackalloc byte[64];
        fixed (byte* buffer = name)
        {
            var iov = new Libc.IoVec { Base = buffer, Length = (nuint)name.Length };
            var msg = new Libc.MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = 64 };
            var n = Libc.recvmsg((int)connection.Handle, &msg, Libc.MSG_CMSG_CLOEXEC);
            if (n < 0)
            {
                throw SyscallException.FromLastError("recvmsg", Path);
            }
            var header = (Libc.CMsgHdr*)control;
            if (msg.ControlLength < (nuint)sizeof(Libc.CMsgHdr) || header->Level != Libc.SOL_SOCKET || header->Type != Libc.SCM_RIGHTS)
            {
                throw new InvalidOperationException($"no SCM_RIGHTS message on {Path}");
            }
            var fd = *(int*)(control + sizeof(Libc.CMsgHdr));
            return (fd, Encoding.UTF8.GetString(name, 0, (int)n));
        }
    }

    public static void Write(int fd, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        fixed (byte* p = bytes)
        {
            if (Libc.write(fd, p, (nuint)bytes.Length) != bytes.Length)
            {
                throw SyscallException.FromLastError("write", "pty master");
            }
        }
    }

    /// <summary>
    /// Reads the master until <paramref name="marker"/> has appeared or the slave side is gone.
    /// A guard against a hang, not a timed assertion: a poll that sees nothing for 60 s ends the read.
    /// </summary>
    public static string ReadUntil(int fd, string marker)
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        while (!text.ToString().Contains(marker, StringComparison.Ordinal))
        {
            var poll = new Libc.PollFd { Fd = fd, Events = Libc.POLLIN };
            if (Libc.poll(&poll, 1, 60_000) <= 0)
            {
                break;
            }
            nint n;
            fixed (byte* p = buffer)
            {
                n = Libc.read(fd, p, (nuint)buffer.Length);
            }
            if (n <= 0)
            {
                break; // EIO: every slave fd is closed
            }
            text.Append(Encoding.UTF8.GetString(buffer, 0, (int)n));
        }
        return text.ToString();
    }

    public void Dispose()
    {
        _listener.Dispose();
        File.Delete(Path);
    }
}
