using System.Runtime.InteropServices;

namespace PSContainer.Interop.Linux;

/// <summary>
/// recvmsg with SCM_RIGHTS: how a runtime hands the pty master of a terminal container to its
/// caller over the --console-socket (the managed Socket API cannot receive file descriptors).
/// </summary>
public static unsafe partial class Libc
{
    public const int SOL_SOCKET = 1, SCM_RIGHTS = 1, MSG_CMSG_CLOEXEC = 0x40000000;

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct CMsgHdr
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    [LibraryImport(Name, SetLastError = true)]
    public static partial nint recvmsg(int socket, MsgHdr* message, int flags);
}
