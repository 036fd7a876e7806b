using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using PSContainer.Interop.Linux;

namespace PSContainer.Engine.Core.Networking.Netlink;

/// <summary>
/// An AF_NETLINK/NETLINK_ROUTE socket. A netlink socket belongs to the network namespace of the
/// thread that created it for its whole life, so one opened inside a container's namespace (see
/// <see cref="NetworkNamespace.OpenNetlink"/>) configures that namespace from any thread.
/// Requests are synchronous: send, then read until the matching ack or error. Not thread-safe.
/// </summary>
internal sealed unsafe class NetlinkSocket : IDisposable
{
    private readonly SafeFileHandle _fd;
    private uint _sequence;
    private readonly byte[] _receive = new byte[64 * 1024];

    private NetlinkSocket(SafeFileHandle fd) => _fd = fd;

    /// <summary>A socket in the calling thread's network namespace.</summary>
    public static NetlinkSocket Open()
    {
        var fd = Libc.Check(Libc.socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, Libc.NETLINK_ROUTE), "socket", "AF_NETLINK");
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            var address = new Libc.SockaddrNl { Family = Libc.AF_NETLINK };
            Libc.Check(Libc.bind(fd, &address, (uint)sizeof(Libc.SockaddrNl)), "bind", "AF_NETLINK");
            return new NetlinkSocket(handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Sends a request with NLM_F_ACK and throws when the kernel answers with an error.</summary>
    public void Request(NetlinkMessage message, string what)
    {
        var sequence = Send(message);
        _ = Receive(sequence, what); // requests with an ack produce no data messages
    }

    /// <summary>Sends a request and returns the data messages of the answer (a dump or a single reply): (type, payload after the header).</summary>
    public List<(ushort Type, byte[] Payload)> Query(NetlinkMessage message, string what) => [.. Receive(Send(message), what)];

    private uint Send(NetlinkMessage message)
    {
        var sequence = ++_sequence;
        var bytes = message.ToArray(sequence);
        fixed (byte* p = bytes)
        {
            var sent = Libc.send(Fd, p, (nuint)bytes.Length, 0);
            if (sent < 0)
            {
                throw SyscallException.FromLastError("netlink send", null);
            }
        }
        return sequence;
    }

    private List<(ushort Type, byte[] Payload)> Receive(uint sequence, string what)
    {
        var results = new List<(ushort, byte[])>();
        while (true)
        {
            nint received;
            fixed (byte* p = _receive)
            {
                received = Libc.recv(Fd, p, (nuint)_receive.Length, 0);
            }
            if (received < 0)
            {
                throw SyscallException.FromLastError("netlink recv", what);
            }
            var offset = 0;
            var done = false;
            while (offset + RtNetlink.HeaderSize <= received)
            {
                var header = _receive.AsSpan(offset);
                var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(header);
                var type = BinaryPrimitives.ReadUInt16LittleEndian(header[4..]);
                var flags = BinaryPrimitives.ReadUInt16LittleEndian(header[6..]);
                var seq = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
                if (length < RtNetlink.HeaderSize || offset + length > received)
                {
                    throw new IOException($"netlink {what}: truncated answer");
                }
                var payload = _receive.AsSpan(offset + RtNetlink.HeaderSize, length - RtNetlink.HeaderSize);
                offset += NetlinkMessage.Align(length);
                if (seq != sequence)
                {
                    continue; // a late answer to an earlier request
                }
                if (type == RtNetlink.NLMSG_ERROR)
                {
                    var error = BinaryPrimitives.ReadInt32LittleEndian(payload);
                    if (error != 0)
                    {
                        throw new SyscallException("netlink", what, -error);
                    }
                    done = true;
                    break;
                }
                if (type == RtNetlink.NLMSG_DONE)
                {
                    done = true;
                    break;
                }
                results.Add((type, payload.ToArray()));
                if ((flags & RtNetlink.NLM_F_MULTI) == 0)
                {
                    // A single reply (e.g. RTM_GETLINK for one name) without an ack request ends here.
                    done = true;
                }
            }
            if (done)
            {
                return results;
            }
        }
    }

    private int Fd => (int)_fd.DangerousGetHandle();

    public void Dispose() => _fd.Dispose();
}
