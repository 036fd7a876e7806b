using System.Net.Sockets;
using System.Runtime.InteropServices;
using PSContainer.Interop.Linux;
using PSContainer.Shim.Processes;

namespace PSContainer.Shim.Io;

/// <summary>
/// The --console-socket of a terminal container: the runtime connects, sends the pty master as
/// SCM_RIGHTS, and exits. recvmsg is called through P/Invoke because the managed Socket cannot
/// receive file descriptors.
/// </summary>
internal sealed class ConsoleSocket : IDisposable
{
    private readonly Socket _listener;

    private ConsoleSocket(string path, Socket listener)
    {
        Path = path;
        _listener = listener;
    }

    public string Path { get; }

    public static ConsoleSocket Listen(string path)
    {
        File.Delete(path);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            socket.Listen(1);
            return new ConsoleSocket(path, socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Accepts the runtime's connection and returns the pty master it sent.</summary>
    public async Task<FileDescriptor> ReceiveMasterAsync(CancellationToken cancellationToken)
    {
        using var connection = await _listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
        // Wait until the message is there, then take it with one non-blocking recvmsg.
        await connection.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        return Receive(connection);
    }

    private unsafe FileDescriptor Receive(Socket connection)
    {
        const int ControlSize = 64;
        var data = stackalloc byte[4096];
        var control = stackalloc byte[ControlSize];
        new Span<byte>(control, ControlSize).Clear();
        var iov = new Libc.IoVec { Base = data, Length = 4096 };
        var message = new Libc.MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = ControlSize };
        var n = Libc.recvmsg((int)connection.Handle, &message, Libc.MSG_CMSG_CLOEXEC);
        if (n < 0)
        {
            throw SyscallException.FromLastError("recvmsg", Path);
        }
        var header = (Libc.CMsgHdr*)control;
        if (message.ControlLength < (nuint)sizeof(Libc.CMsgHdr) || header->Level != Libc.SOL_SOCKET || header->Type != Libc.SCM_RIGHTS)
        {
            throw new IOException($"console socket {Path}: the runtime sent no file descriptor ({n} bytes of data)");
        }
        // CMSG_DATA: right after the header, which is already 8-byte aligned on 64-bit Linux.
        var fd = *(int*)(control + sizeof(Libc.CMsgHdr));
        return new FileDescriptor(fd);
    }

    public void Dispose()
    {
        _listener.Dispose();
        File.Delete(Path);
    }
}
