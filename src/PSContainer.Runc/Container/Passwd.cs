using System.Globalization;
using System.Text;
using PSContainer.Interop.Linux;

namespace PSContainer.Runc.Container;

/// <summary>Reads the rootfs's /etc/passwd, resolved inside the rootfs so a symlink cannot point at the host's.</summary>
public static class Passwd
{
    /// <summary>The home directory of <paramref name="uid"/> in the rootfs, or "/" (runc's default).</summary>
    public static string HomeOf(string rootfs, uint uid)
    {
        var text = ReadInRoot(rootfs, "/etc/passwd");
        return text is null ? "/" : HomeIn(text, uid) ?? "/";
    }

    /// <summary>The sixth field of the first passwd line whose uid is <paramref name="uid"/>.</summary>
    public static string? HomeIn(string passwd, uint uid)
    {
        foreach (var line in passwd.Split('\n'))
        {
            var f = line.Split(':');
            if (f.Length >= 7 && uint.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var u) && u == uid)
            {
                return f[5].Length > 0 ? f[5] : null;
            }
        }
        return null;
    }

    private static string? ReadInRoot(string rootfs, string path)
    {
        var root = Libc.open(rootfs, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (root < 0)
        {
            return null;
        }
        try
        {
            var fd = Libc.openat2(root, path, (ulong)(Libc.O_RDONLY | Libc.O_CLOEXEC), 0, Libc.RESOLVE_IN_ROOT);
            if (fd < 0)
            {
                return null;
            }
            using var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
            using var stream = new FileStream(handle, FileAccess.Read);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return reader.ReadToEnd();
        }
        finally
        {
            Libc.close(root);
        }
    }
}
