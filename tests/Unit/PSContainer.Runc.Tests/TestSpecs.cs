using PSContainer.Oci;

namespace PSContainer.Runc.Tests;

/// <summary>Configs for the tests: the shape `umoci unpack` and `runc spec` produce.</summary>
internal static class TestSpecs
{
    public const string BusyboxConfig = """
    {
      "ociVersion": "1.0.0",
      "process": {
        "terminal": false,
        "user": { "uid": 0, "gid": 0 },
        "args": [ "sh", "-c", "true" ],
        "env": [ "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm" ],
        "cwd": "/",
        "capabilities": {
          "bounding": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
          "effective": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
          "permitted": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ]
        },
        "rlimits": [ { "type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024 } ],
        "noNewPrivileges": true
      },
      "root": { "path": "rootfs" },
      "hostname": "box",
      "mounts": [
        { "destination": "/proc", "type": "proc", "source": "proc" },
        { "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": [ "nosuid", "strictatime", "mode=755", "size=65536k" ] },
        { "destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": [ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" ] },
        { "destination": "/sys", "type": "sysfs", "source": "sysfs", "options": [ "nosuid", "noexec", "nodev", "ro" ] }
      ],
      "linux": {
        "namespaces": [ { "type": "pid" }, { "type": "network" }, { "type": "ipc" }, { "type": "uts" }, { "type": "mount" } ],
        "maskedPaths": [ "/proc/kcore", "/sys/firmware" ],
        "readonlyPaths": [ "/proc/sys" ]
      }
    }
    """;

    public static Spec Busybox() => SpecValidator.Parse(System.Text.Encoding.UTF8.GetBytes(BusyboxConfig));

    /// <summary>The checkout this test was compiled from (test assemblies may be built outside it).</summary>
    public static string SourceRoot() => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ThisFile())!, "..", "..", ".."));

    private static string ThisFile([System.Runtime.CompilerServices.CallerFilePath] string file = "") => file;

    public static int? Cap(string name) => PSContainer.Runc.Cli.RuntimeComposition.CapabilityNumber(name);
}
