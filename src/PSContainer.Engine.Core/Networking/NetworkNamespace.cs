using System.Runtime.ExceptionServices;
using Microsoft.Win32.SafeHandles;
using PSContainer.Engine.Core.Networking.Netlink;
using PSContainer.Interop.Linux;

namespace PSContainer.Engine.Core.Networking;

/// <summary>
/// Network namespaces the engine owns, kept alive by a bind mount of the namespace file on
/// <c>&lt;exec-root&gt;/netns/&lt;container id&gt;</c> (podman's and `ip netns`' model): made before
/// the task starts, so the endpoints are wired before the workload runs, and handed to the runtime
/// as the OCI `network` namespace path.
/// setns/unshare with CLONE_NEWNET change only the calling thread, so every switch happens on a
/// dedicated short-lived thread and the engine's thread pool never sees a foreign namespace.
/// </summary>
public static class NetworkNamespace
{
    /// <summary>Creates a new network namespace pinned at <paramref name="path"/> with its loopback up.</summary>
    public static void Create(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (IsMounted(path))
        {
            return; // already there (a start that is retried after a crash)
        }
        // The mount point must be a file; O_EXCL is not used so a leftover empty file is reused.
        using (File.Open(path, FileMode.OpenOrCreate, FileAccess.Write))
        {
        }
        try
        {
            OnThread(() =>
            {
                using var original = OpenNamespace("/proc/thread-self/ns/net");
                Libc.Check(Libc.unshare(Libc.CLONE_NEWNET), "unshare", "CLONE_NEWNET");
                try
                {
                    Libc.Check(Libc.mount("/proc/thread-self/ns/net", path, null, Libc.MS_BIND, null), "mount --bind /proc/thread-self/ns/net on", path);
                    using var netlink = RtNetlinkClient.Open();
                    netlink.SetUp("lo");
                }
                finally
                {
                    // Back to the host's namespace; the thread ends right after anyway.
                    Libc.Check(Libc.setns((int)original.DangerousGetHandle(), Libc.CLONE_NEWNET), "setns", "host network namespace");
                }
            });
        }
        catch
        {
            Remove(path);
            throw;
        }
    }

    /// <summary>Unmounts and deletes the pin; the namespace goes away with its last process. Missing is fine.</summary>
    public static void Remove(string path)
    {
        if (Libc.umount2(path, Libc.MNT_DETACH) != 0)
        {
            var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (errno is not (Errno.EINVAL or Errno.ENOENT))
            {
                throw new SyscallException("umount", path, errno);
            }
        }
        File.Delete(path);
    }

    /// <summary>True when <paramref name="path"/> is a pinned namespace (an nsfs mount), not just a file.</summary>
    public static bool IsMounted(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }
        var target = Path.GetFullPath(path);
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            // fields: id parent major:minor root mount-point options ... - fstype source
            var fields = line.Split(' ');
            if (fields.Length > 4 && Unescape(fields[4]) == target)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Opens the namespace file (for IFLA_NET_NS_FD or setns).</summary>
    public static SafeFileHandle OpenNamespace(string path)
    {
        var fd = Libc.Check(Libc.open(path, Libc.O_RDONLY | Libc.O_CLOEXEC, 0), "open", path);
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>A netlink client bound to the namespace at <paramref name="path"/>, usable from any thread.</summary>
    public static RtNetlinkClient OpenNetlink(string path) =>
        Dns.NetworkNamespaceThread.RunAsync(path, RtNetlinkClient.Open).GetAwaiter().GetResult();

    /// <summary>Runs <paramref name="action"/> on a new thread and waits; exceptions are rethrown here.</summary>
    private static void OnThread(Action action)
    {
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                action();
            }
#pragma warning disable CA1031 // Any failure is rethrown on the calling thread.
            catch (Exception e)
#pragma warning restore CA1031
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        }, 256 * 1024)
        { IsBackground = true, Name = "netns" };
        thread.Start();
        thread.Join();
        failure?.Throw();
    }

    private static string Unescape(string mountinfoPath) =>
        mountinfoPath.Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal)
            .Replace("\\012", "\n", StringComparison.Ordinal).Replace("\\134", "\\", StringComparison.Ordinal);
}
