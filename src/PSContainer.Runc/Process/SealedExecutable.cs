using PSContainer.Interop.Linux;

namespace PSContainer.Runc.Process;

/// <summary>
/// psc-nsexec as a sealed memfd copy. psc-nsexec is the process that becomes the container's init,
/// so /proc/PID/exe of that process points at whatever it was executed from. Executing a sealed
/// memfd (no writes, no resizing, seals locked) means a process in the container that reopens that
/// link (the CVE-2019-5736 attack) gets a private read-only copy, never the file on the host.
/// One copy per runtime process: the shim hosting the library reuses it for every container.
/// </summary>
public static class SealedExecutable
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, int> Copies = new(StringComparer.Ordinal);

    /// <summary>The /proc/self/fd path of the sealed copy of <paramref name="path"/>.</summary>
    public static string PathOf(string path)
    {
        lock (Gate)
        {
            if (!Copies.TryGetValue(path, out var fd))
            {
                fd = Create(path);
                Copies[path] = fd;
            }
            return $"/proc/self/fd/{fd}";
        }
    }

    private static unsafe int Create(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RuncException($"cannot read the stage-0 helper {path}: {e.Message} (build it with ./build.sh, or set PSC_NSEXEC)");
        }
        var fd = Libc.Check(Libc.memfd_create("psc-nsexec", Libc.MFD_CLOEXEC | Libc.MFD_ALLOW_SEALING), "memfd_create", "psc-nsexec");
        try
        {
            WriteAll(fd, bytes, "write the sealed copy of " + path);
            Libc.Check(Libc.fchmod(fd, 0x16D /* 0555 */), "fchmod", "memfd psc-nsexec");
            Libc.Check(Libc.fcntl(fd, Libc.F_ADD_SEALS, Libc.F_SEAL_SEAL | Libc.F_SEAL_SHRINK | Libc.F_SEAL_GROW | Libc.F_SEAL_WRITE),
                "seal", "memfd psc-nsexec");
            return fd;
        }
        catch
        {
            Libc.close(fd);
            throw;
        }
    }

    internal static unsafe void WriteAll(int fd, ReadOnlySpan<byte> bytes, string what)
    {
        fixed (byte* p = bytes)
        {
            var done = 0;
            while (done < bytes.Length)
            {
                var n = Libc.write(fd, p + done, (nuint)(bytes.Length - done));
                if (n < 0)
                {
                    throw SyscallException.FromLastError(what);
                }
                done += (int)n;
            }
        }
    }
}
