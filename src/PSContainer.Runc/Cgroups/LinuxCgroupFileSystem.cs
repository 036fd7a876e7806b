using System.Text;
using PSContainer.Interop.Linux;

namespace PSContainer.Runc.Cgroups;

/// <summary>The real <see cref="ICgroupFileSystem"/>: direct syscalls, so errors carry the exact errno.</summary>
public sealed unsafe class LinuxCgroupFileSystem : ICgroupFileSystem
{
    private const int OWriteOnly = 1, OTruncate = 0x200, OCloseOnExec = 0x80000;

    public static LinuxCgroupFileSystem Instance { get; } = new();

    public string ReadFile(string path) => File.ReadAllText(path);

    public void WriteFile(string path, string value)
    {
        // O_TRUNC is ignored by cgroupfs but makes the same code right for regular files (fixtures).
        var fd = Libc.cgroup_open(path, OWriteOnly | OTruncate | OCloseOnExec);
        if (fd < 0)
        {
            throw SyscallException.FromLastError($"write {value} to", path);
        }
        try
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            fixed (byte* p = bytes)
            {
                var written = Libc.cgroup_write(fd, p, (nuint)bytes.Length);
                if (written < 0)
                {
                    throw SyscallException.FromLastError($"write {value} to", path);
                }
                if (written != bytes.Length)
                {
                    // cgroupfs takes a value in one write or rejects it; a short write means it was cut.
                    throw new SyscallException($"write {value} to", path, Errno.EIO);
                }
            }
        }
        finally
        {
            Libc.close(fd);
        }
    }

    public bool FileExists(string path) => File.Exists(path);

    public bool DirectoryExists(string path) => Directory.Exists(path);

    public void CreateDirectory(string path)
    {
        if (Libc.cgroup_mkdir(path, 0x1ED /* 0755 */) < 0)
        {
            var error = SyscallException.FromLastError("mkdir", path);
            if (error.Errno != Errno.EEXIST)
            {
                throw error;
            }
        }
    }

    public void RemoveDirectory(string path)
    {
        if (Libc.cgroup_rmdir(path) < 0)
        {
            throw SyscallException.FromLastError("rmdir", path);
        }
    }

    public IReadOnlyList<string> ListDirectories(string path) =>
        Directory.Exists(path) ? Directory.GetDirectories(path) : [];
}
