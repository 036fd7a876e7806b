using System.Globalization;
using PSContainer.Oci;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Runc.IntegrationTests;

/// <summary>
/// Containers with a user namespace, as root with `runc spec --rootless`-style maps (container 0 →
/// host 100000, 65536 ids), against Debian's runc on the same bundle. The rootfs stays owned by the
/// host's root (ownership is the caller's business), so the container sees it as nobody; a data
/// directory owned by the mapped root is where it may write.
/// </summary>
public sealed class UserNamespaceTests(BundleFixture fixture) : IClassFixture<BundleFixture>, IDisposable
{
    private const int HostRoot = 100000;
    private readonly string _data = MakeDataDir();

    private static string Id() => "u" + Guid.NewGuid().ToString("N")[..10];

    private static string MakeDataDir()
    {
        var dir = Directory.CreateTempSubdirectory("psc-userns-data-").FullName;
        if (OperatingSystem.IsLinux() && TestEnvironment.WhyNotRoot() is null)
        {
            File.WriteAllText(Path.Combine(dir, "owned"), "");
            BundleFixture.Run("chown", "-R", $"{HostRoot}:{HostRoot}", dir);
            File.SetUnixFileMode(dir, (UnixFileMode)0x1ED /* 0755 */);
        }
        return dir;
    }

    private Bundle UserBundle(string script, Action<Spec>? change = null) => fixture.NewBundle(s =>
    {
        s.Process!.Args = ["sh", "-c", script];
        s.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "user" });
        s.Linux.UidMappings = [new LinuxIdMapping { ContainerID = 0, HostID = HostRoot, Size = 65536 }];
        s.Linux.GidMappings = [new LinuxIdMapping { ContainerID = 0, HostID = HostRoot, Size = 65536 }];
        s.Mounts!.Add(new Mount { Destination = "/home", Type = "bind", Source = _data, Options = ["rbind", "rw"] });
        change?.Invoke(s);
    });

    [RequiresRootFact]
    public void Ids_maps_rootfs_ownership_and_writes_match_runc()
    {
        using var b = UserBundle(
            "id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; " +
            "ls -ln / | awk 'NR > 1 {print $1, $3, $4, $NF}'; " +
            "echo written > /home/owned && cat /home/owned; touch /home/new && ls -ln /home | awk 'NR > 1 {print $1, $3, $4, $NF}'; rm /home/new; " +
            "touch /etc/forbidden 2>&1; ls /sys/fs/cgroup; " +
            "ls -lnd /dev /dev/mqueue /dev/shm /dev/pts /dev/null | awk '{print $1, $3, $4, $NF}'");
        var psc = Cli.Psc_(b, "run", "-b", b.Dir, Id());
        var runc = Cli.Runc(b, "run", "-b", b.Dir, Id());
        Assert.True(runc.ExitCode == 0, runc.Stderr);
        Assert.True(psc.ExitCode == 0, psc.Stderr);
        Assert.Equal(runc.Stdout, HybridCgroup.WithoutUnified(psc.Stdout));
        Assert.StartsWith($"0\n0\n         0     {HostRoot}      65536\n", psc.Stdout, StringComparison.Ordinal);
        Assert.Contains("-rw-r--r-- 0 0 owned", psc.Stdout, StringComparison.Ordinal);
        Assert.Contains("drwxr-xr-x 65534 65534 etc", psc.Stdout, StringComparison.Ordinal);
        Assert.Contains("Permission denied", psc.Stdout, StringComparison.Ordinal);
        // The ipc namespace's mqueue root is made when the namespace is, with the creator's ids: runc's
        // init has become uid 0 but still has the host's (unmapped) gid then.
        Assert.Contains("drwxrwxrwt 0 65534 /dev/mqueue", psc.Stdout, StringComparison.Ordinal);
        Assert.Contains("drwxrwxrwt 0 0 /dev/shm", psc.Stdout, StringComparison.Ordinal);
        // Seen from the host, the file belongs to the mapped root.
        Assert.Equal(HostRoot.ToString(CultureInfo.InvariantCulture), BundleFixture.Run("stat", "-c", "%u", Path.Combine(_data, "owned")).Trim());
    }

    [RequiresRootFact]
    public void The_mount_table_matches_runc()
    {
        var ids = new List<string>();
        using var b = UserBundle("awk '{i=7; while ($i != \"-\") i++; print $4, $5, $6, $(i+1)}' /proc/self/mountinfo | sort", s =>
        {
            var id = Id();
            ids.Add(id);
            s.Linux!.CgroupsPath = "/" + id;
        });
        var psc = Cli.Psc_(b, "run", "-b", b.Dir, Id());
        var runc = Cli.Runc(b, "run", "-b", b.Dir, Id());
        Assert.True(runc.ExitCode == 0, runc.Stderr);
        Assert.True(psc.ExitCode == 0, psc.Stderr);
        Assert.Contains("/sys/fs/cgroup/memory", psc.Stdout, StringComparison.Ordinal);
        HybridCgroup.AssertShownByPscOnly(psc.Stdout, runc.Stdout);
        Assert.Equal(Normalize(runc.Stdout), Normalize(HybridCgroup.WithoutUnified(psc.Stdout)));

        // Deliberate difference (ARCHITECTURE.md): readonlyPaths get nosuid,nodev,noexec as well.
        string Normalize(string s) => string.Join('\n', s.Split('\n')
            .Select(l => ids.Aggregate(l, (text, id) => text.Replace(id, "ID", StringComparison.Ordinal)))
            .Select(l => l.Contains(" /proc/", StringComparison.Ordinal) ? l.Replace("ro,nosuid,nodev,noexec", "ro", StringComparison.Ordinal) : l));
    }

    [RequiresRootFact]
    public void A_tmpcopyup_copy_of_host_owned_files_matches_runc()
    {
        // The image's /etc belongs to the host's root, unmapped here: both runtimes copy it with the
        // owner the container sees (nobody), and the new tmpfs root is the namespace root's.
        using var b = UserBundle("ls -lna /etc | awk '{print $1, $3, $4, $NF}'; stat -c '%a %u %g' /etc; echo x > /etc/new && ls -ln /etc/new | awk '{print $3, $4}'",
            s => s.Mounts!.Add(new Mount { Destination = "/etc", Type = "tmpfs", Source = "tmpfs", Options = ["tmpcopyup", "nosuid"] }));
        var psc = Cli.Psc_(b, "run", "-b", b.Dir, Id());
        var runc = Cli.Runc(b, "run", "-b", b.Dir, Id());
        Assert.True(runc.ExitCode == 0, runc.Stderr);
        Assert.True(psc.ExitCode == 0, psc.Stderr);
        Assert.Equal(runc.Stdout, psc.Stdout);
        Assert.Contains("-rw-r--r-- 65534 65534 passwd", psc.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("755 0 0\n0 0\n", psc.Stdout, StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public void Exec_joins_the_user_namespace()
    {
        using var b = UserBundle("sleep 300");
        var id = Id();
        var run = Cli.Psc_(b, "run", "-d", "-b", b.Dir, id);
        Assert.True(run.ExitCode == 0, run.Stderr);
        try
        {
            var r = Cli.Psc_(b, "exec", id, "sh", "-c", "id -u; cat /proc/self/uid_map; echo exec > /home/owned; cat /home/owned");
            Assert.True(r.ExitCode == 0, r.Stderr);
            Assert.Equal($"0\n         0     {HostRoot}      65536\nexec\n", r.Stdout);
        }
        finally
        {
            Assert.Equal(0, Cli.Psc_(b, "delete", "--force", id).ExitCode);
        }
    }

    [RequiresRootFact]
    public void A_container_can_join_an_existing_user_namespace_by_path()
    {
        using var holder = UserBundle("sleep 300");
        var holderId = Id();
        var pidFile = Path.Combine(holder.Dir, "pid");
        var run = Cli.Psc_(holder, "run", "-d", "--pid-file", pidFile, "-b", holder.Dir, holderId);
        Assert.True(run.ExitCode == 0, run.Stderr);
        try
        {
            var pid = File.ReadAllText(pidFile).Trim();
            var userNs = $"/proc/{pid}/ns/user";
            using var joiner = fixture.NewBundle(s =>
            {
                s.Process!.Args = ["sh", "-c", "id -u; cat /proc/self/uid_map; readlink /proc/self/ns/user; ls -lnd /dev/mqueue | awk '{print $3, $4}'"];
                s.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "user", Path = userNs });
            });
            var r = Cli.Psc_(joiner, "run", "-b", joiner.Dir, Id());
            Assert.True(r.ExitCode == 0, r.Stderr);
            var expectedNs = new FileInfo(userNs).LinkTarget;
            // The new ipc namespace is made by the joined namespace's root too, as in a new one.
            Assert.Equal($"0\n         0     {HostRoot}      65536\n{expectedNs}\n0 65534\n", r.Stdout);
        }
        finally
        {
            Assert.Equal(0, Cli.Psc_(holder, "delete", "--force", holderId).ExitCode);
        }
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);
}
