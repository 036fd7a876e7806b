using System.Runtime.InteropServices;
using PSContainer.Interop.Linux;

namespace PSContainer.Shim.Processes;

/// <summary>An owned file descriptor: closed exactly once, when disposed.</summary>
internal sealed class FileDescriptor : SafeHandle
{
    public FileDescriptor(int fd) : base(-1, ownsHandle: true) => SetHandle(fd);

    public override bool IsInvalid => handle == -1;

    public int Fd => (int)handle;

    protected override bool ReleaseHandle() => Libc.close((int)handle) == 0;

    /// <summary>A pipe whose both ends are close-on-exec (posix_spawn's dup2 clears it on the copy).</summary>
    public static unsafe (FileDescriptor Read, FileDescriptor Write) Pipe()
    {
        var fds = stackalloc int[2];
        Libc.Check(Libc.pipe2(fds, Libc.O_CLOEXEC), "pipe2");
        return (new FileDescriptor(fds[0]), new FileDescriptor(fds[1]));
    }

    /// <summary>/dev/null for reading and writing, close-on-exec.</summary>
    public static FileDescriptor DevNull()
    {
        var handle = File.OpenHandle("/dev/null", FileMode.Open, FileAccess.ReadWrite);
        var fd = (int)handle.DangerousGetHandle();
        handle.SetHandleAsInvalid();
        return new FileDescriptor(fd);
    }

    /// <summary>Writes all bytes, retrying short writes; false if the reader is gone (EPIPE).</summary>
    public unsafe bool WriteAll(ReadOnlySpan<byte> data)
    {
        fixed (byte* start = data)
        {
            var done = 0;
            while (done < data.Length)
            {
                var n = Libc.write(Fd, start + done, (nuint)(data.Length - done));
                if (n < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Errno.EINTR)
                    {
                        continue;
                    }
                    if (errno is Errno.EPIPE or Errno.EIO)
                    {
                        return false;
                    }
                    throw new SyscallException("write", $"fd {Fd}", errno);
                }
                done += (int)n;
            }
        }
        return true;
    }

    /// <summary>Reads once, retrying EINTR; 0 at end of file (EIO on a pty whose other side closed counts as the end).</summary>
    public unsafe int Read(Span<byte> buffer)
    {
        fixed (byte* start = buffer)
        {
            while (true)
            {
                var n = Libc.read(Fd, start, (nuint)buffer.Length);
                if (n >= 0)
                {
                    return (int)n;
                }
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Errno.EINTR)
                {
                    continue;
                }
                if (errno == Errno.EIO)
                {
                    return 0;
                }
                throw new SyscallException("read", $"fd {Fd}", errno);
            }
        }
    }
}
