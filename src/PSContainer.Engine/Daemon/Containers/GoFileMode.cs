using PSContainer.Interop.Linux;

namespace PSContainer.Engine.Daemon.Containers;

/// <summary>
/// Go's os.FileMode, which the X-Docker-Container-Path-Stat header carries ("mode"): the nine
/// permission bits as in Unix, but the file type and the setuid, setgid and sticky bits as high
/// flag bits of their own. The docker CLI decides "directory or file" from these bits.
/// </summary>
public static class GoFileMode
{
    public const uint ModeDir = 1u << 31, ModeSymlink = 1u << 27, ModeDevice = 1u << 26, ModeNamedPipe = 1u << 25,
        ModeSocket = 1u << 24, ModeSetuid = 1u << 23, ModeSetgid = 1u << 22, ModeCharDevice = 1u << 21, ModeSticky = 1u << 20;

    /// <summary>Converts a Unix st_mode (type and permission bits) to Go's FileMode.</summary>
    public static uint From(uint unixMode)
    {
        var mode = unixMode & 0x1FF; // rwxrwxrwx
        mode |= (unixMode & Libc.S_IFMT) switch
        {
            Libc.S_IFDIR => ModeDir,
            Libc.S_IFLNK => ModeSymlink,
            Libc.S_IFBLK => ModeDevice,
            Libc.S_IFCHR => ModeDevice | ModeCharDevice,
            Libc.S_IFIFO => ModeNamedPipe,
            Libc.S_IFSOCK => ModeSocket,
            _ => 0,
        };
        if ((unixMode & 0x800) != 0)
        {
            mode |= ModeSetuid;
        }
        if ((unixMode & 0x400) != 0)
        {
            mode |= ModeSetgid;
        }
        if ((unixMode & 0x200) != 0)
        {
            mode |= ModeSticky;
        }
        return mode;
    }
}
