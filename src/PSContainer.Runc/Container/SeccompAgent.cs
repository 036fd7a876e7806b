using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using PSContainer.Interop.Linux;

namespace PSContainer.Runc.Container;

/// <summary>
/// Hands a seccomp user-notification fd to the agent at linux.seccomp.listenerPath, as the runtime
/// spec describes and runc does: one message on a new connection to the Unix socket whose payload
/// is the container process state (ociVersion, fds ["seccompFd"], pid, metadata, state) and whose
/// SCM_RIGHTS control message carries the fd.
/// </summary>
public static unsafe class SeccompAgent
{
    /// <summary>The name of the fd in the state's "fds" array (the runtime spec's).</summary>
    public const string SeccompFdName = "seccompFd";

    /// <summary>The container process state (runtime spec, "Container process state"); <paramref name="stateJson"/> is the container's state.</summary>
    public static string ProcessState(string ociVersion, int pid, string? metadata, string stateJson)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("ociVersion", ociVersion);
            w.WriteStartArray("fds");
            w.WriteStringValue(SeccompFdName);
            w.WriteEndArray();
            w.WriteNumber("pid", pid);
            if (!string.IsNullOrEmpty(metadata))
            {
                w.WriteString("metadata", metadata);
            }
            w.WritePropertyName("state");
            w.WriteRawValue(stateJson);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Connects to <paramref name="listenerPath"/> and sends <paramref name="processState"/> with <paramref name="fd"/>.</summary>
    public static void Send(string listenerPath, string processState, int fd)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(listenerPath));
        }
        catch (SocketException e)
        {
            throw new RuncException($"linux.seccomp.listenerPath: connect to {listenerPath}: {e.Message}");
        }
        var payload = Encoding.UTF8.GetBytes(processState);
        var control = stackalloc byte[sizeof(Libc.CMsgHdr) + 8];
        new Span<byte>(control, sizeof(Libc.CMsgHdr) + 8).Clear();
        var header = (Libc.CMsgHdr*)control;
        header->Level = Libc.SOL_SOCKET;
        header->Type = Libc.SCM_RIGHTS;
        header->Length = (nuint)(sizeof(Libc.CMsgHdr) + sizeof(int)); // CMSG_LEN(sizeof(int))
        *(int*)(control + sizeof(Libc.CMsgHdr)) = fd;
        fixed (byte* data = payload)
        {
            var iov = new Libc.IoVec { Base = data, Length = (nuint)payload.Length };
            // CMSG_SPACE(sizeof(int)): the header plus the int rounded up to 8 bytes.
            var msg = new Libc.MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = (nuint)(sizeof(Libc.CMsgHdr) + 8) };
            if (Libc.sendmsg((int)socket.Handle, &msg, Libc.MSG_NOSIGNAL) != payload.Length)
            {
                throw new RuncException($"linux.seccomp.listenerPath: send the seccomp fd to {listenerPath}: " +
                    SyscallException.FromLastError("sendmsg", listenerPath).Message);
            }
        }
    }
}
