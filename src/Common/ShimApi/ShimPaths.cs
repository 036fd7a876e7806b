using System.Globalization;
using System.Text;

namespace PSContainer.ShimApi;

/// <summary>Where a shim keeps its socket and files; the same rules in the engine and the shim.</summary>
public static class ShimPaths
{
    /// <summary>Default directory of shim sockets (short, because sun_path holds 108 bytes).</summary>
    public const string DefaultSocketDirectory = "/run/pscontainer/s";

    /// <summary>Addresses printed by `psc-shim start` carry this scheme.</summary>
    public const string AddressScheme = "unix://";

    /// <summary>Files the shim keeps in the bundle besides <see cref="ShimExitRecord.FileName"/>.</summary>
    public const string ShimLogFile = "shim.log", ShimPidFile = "shim.pid", InitPidFile = "init.pid",
        RuntimeLogFile = "runtime.log", ContainerLogFile = "container.log",
        RootfsMountedMarker = ".psc-rootfs-mounted";

    /// <summary>
    /// The socket of the shim for a container: a hash of id and bundle, so a second `start` for the
    /// same container finds the running shim, and the path stays short whatever the bundle path is.
    /// </summary>
    public static string SocketPath(string socketDirectory, string containerId, string bundle)
    {
        // Not a security boundary (the directory is root-only), so no cryptographic hash: loading
        // OpenSSL for it would cost every shim about 0.7 MB. Two FNV-1a passes give 128 bits.
        var key = Encoding.UTF8.GetBytes(containerId + "\0" + Path.GetFullPath(bundle));
        var high = Fnv1a(key, 0xcbf29ce484222325);
        var low = Fnv1a(key, 0x84222325cbf29ce4);
        return Path.Combine(socketDirectory, high.ToString("x16", CultureInfo.InvariantCulture) + low.ToString("x16", CultureInfo.InvariantCulture) + ".sock");
    }

    private static ulong Fnv1a(ReadOnlySpan<byte> data, ulong basis)
    {
        var hash = basis;
        foreach (var b in data)
        {
            hash = (hash ^ b) * 0x100000001b3;
        }
        return hash;
    }

    /// <summary>"unix:///run/x.sock" or "/run/x.sock" → "/run/x.sock".</summary>
    public static string SocketPathFromAddress(string address)
    {
        var path = address.StartsWith(AddressScheme, StringComparison.Ordinal) ? address[AddressScheme.Length..] : address;
        return path.Length > 0 && path[0] == '/' ? path : throw new ArgumentException($"shim address '{address}' is not an absolute unix socket path", nameof(address));
    }
}
