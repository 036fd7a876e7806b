using PSContainer.Oci;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Runc.IntegrationTests;

/// <summary>
/// Idmapped bind mounts as root. Debian's runc 1.1 cannot idmap, so these test the kernel's
/// behaviour: what the container sees (stat, ls -ln) and what lands on the host when it writes.
/// The mount point is /home, which the busybox rootfs has (a container root in a user namespace could not create one in the host-owned rootfs). The host directory belongs to uid/gid 1000, as a user's home directory would.
/// </summary>
public sealed class IdmappedMountTests(BundleFixture fixture) : IClassFixture<BundleFixture>, IDisposable
{
    private const int HostUser = 1000;
    private const int UserNsBase = 100000;
    private readonly string _data = MakeDataDir();

    private static string Id() => "i" + Guid.NewGuid().ToString("N")[..10];

    private static string MakeDataDir()
    {
        var dir = Directory.CreateTempSubdirectory("psc-idmap-data-").FullName;
        if (OperatingSystem.IsLinux() && TestEnvironment.WhyNotRoot() is null)
        {
            File.WriteAllText(Path.Combine(dir, "owned"), "by 1000\n");
            BundleFixture.Run("chown", "-R", $"{HostUser}:{HostUser}", dir);
            // 0777: the containers' root has no CAP_DAC_OVERRIDE (umoci's capabilities), whoever it is mapped to.
            File.SetUnixFileMode(dir, (UnixFileMode)0x1FF /* 0777 */);
        }
        return dir;
    }

    private static List<LinuxIdMapping> Map(uint container, uint host, uint size) => [new() { ContainerID = container, HostID = host, Size = size }];

    private const string Script =
        "stat -c '%u:%g %n' /home /home/owned; ls -ln /home | awk 'NR > 1 {print $3, $4, $NF}'; " +
        "echo new > /home/created && stat -c '%u:%g %n' /home/created";

    private Bundle NewBundle(Action<Spec> change) => fixture.NewBundle(s =>
    {
        s.Process!.Args = ["sh", "-c", Script];
        change(s);
    });

    private static void AddUserNamespace(Spec s)
    {
        s.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "user" });
        s.Linux.UidMappings = Map(0, UserNsBase, 65536);
        s.Linux.GidMappings = Map(0, UserNsBase, 65536);
    }

    private string HostOwner(string name) => BundleFixture.Run("stat", "-c", "%u:%g", Path.Combine(_data, name)).Trim();

    [RequiresRootFact]
    public void Without_a_user_namespace_host_uid_1000_is_the_containers_root_and_its_files_land_as_1000()
    {
        using var b = NewBundle(s => s.Mounts!.Add(new Mount
        {
            Destination = "/home", Type = "bind", Source = _data, Options = ["rbind", "rw"],
            // The mount's mapping: an id on disk (containerID side) is seen as the hostID side.
            UidMappings = Map(HostUser, 0, 1), GidMappings = Map(HostUser, 0, 1),
        }));
        var r = Cli.Psc_(b, "run", "-b", b.Dir, Id());
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("0:0 /home\n0:0 /home/owned\n0 0 owned\n0:0 /home/created\n", r.Stdout);
        Assert.Equal("1000:1000", HostOwner("created"));
        Assert.Equal("1000:1000", HostOwner("owned")); // nothing was chowned

        // The kernel lists the mount as idmapped (mountinfo's per-mount options).
        using var info = NewBundle(s =>
        {
            s.Process!.Args = ["sh", "-c", "awk '$5 == \"/home\" {print $6}' /proc/self/mountinfo"];
            s.Mounts!.Add(new Mount
            {
                Destination = "/home", Type = "bind", Source = _data, Options = ["rbind", "ro"],
                UidMappings = Map(HostUser, 0, 1), GidMappings = Map(HostUser, 0, 1),
            });
        });
        var mountinfo = Cli.Psc_(info, "run", "-b", info.Dir, Id());
        Assert.True(mountinfo.ExitCode == 0, mountinfo.Stderr);
        Assert.Equal("ro,relatime,idmapped\n", mountinfo.Stdout);
        Assert.Equal("by 1000\n", File.ReadAllText(Path.Combine(_data, "owned")));
    }

    [RequiresRootFact]
    public void In_a_user_namespace_a_mount_mapping_onto_the_namespace_root_shows_uid_1000_as_root()
    {
        using var b = NewBundle(s =>
        {
            AddUserNamespace(s);
            s.Mounts!.Add(new Mount
            {
                Destination = "/home", Type = "bind", Source = _data, Options = ["rbind", "rw", "idmap"],
                UidMappings = Map(HostUser, UserNsBase, 1), GidMappings = Map(HostUser, UserNsBase, 1),
            });
        });
        var r = Cli.Psc_(b, "run", "-b", b.Dir, Id());
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("0:0 /home\n0:0 /home/owned\n0 0 owned\n0:0 /home/created\n", r.Stdout);
        Assert.Equal("1000:1000", HostOwner("created"));
    }

    [RequiresRootFact]
    public void Idmap_without_mappings_uses_the_containers_user_namespace()
    {
        // With the container's maps (0 → 100000), on-disk 1000 is seen as 1000, and the container's
        // root writes on-disk 0; without the idmap the files would show as nobody (65534).
        using var b = NewBundle(s =>
        {
            AddUserNamespace(s);
            s.Mounts!.Add(new Mount { Destination = "/home", Type = "bind", Source = _data, Options = ["rbind", "rw", "ridmap"] });
        });
        var r = Cli.Psc_(b, "run", "-b", b.Dir, Id());
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("1000:1000 /home\n1000:1000 /home/owned\n1000 1000 owned\n0:0 /home/created\n", r.Stdout);
        Assert.Equal("0:0", HostOwner("created"));
    }

    [RequiresRootFact]
    public void Idmap_without_mappings_in_a_joined_user_namespace_uses_that_namespace()
    {
        using var holder = fixture.NewBundle(s =>
        {
            s.Process!.Args = ["sleep", "300"];
            AddUserNamespace(s);
        });
        var holderId = Id();
        var pidFile = Path.Combine(holder.Dir, "pid");
        var run = Cli.Psc_(holder, "run", "-d", "--pid-file", pidFile, "-b", holder.Dir, holderId);
        Assert.True(run.ExitCode == 0, run.Stderr);
        try
        {
            var userNs = $"/proc/{File.ReadAllText(pidFile).Trim()}/ns/user";
            using var b = NewBundle(s =>
            {
                s.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "user", Path = userNs });
                s.Mounts!.Add(new Mount { Destination = "/home", Type = "bind", Source = _data, Options = ["rbind", "rw", "idmap"] });
            });
            var r = Cli.Psc_(b, "run", "-b", b.Dir, Id());
            Assert.True(r.ExitCode == 0, r.Stderr);
            Assert.Equal("1000:1000 /home\n1000:1000 /home/owned\n1000 1000 owned\n0:0 /home/created\n", r.Stdout);
            Assert.Equal("0:0", HostOwner("created"));
        }
        finally
        {
            Assert.Equal(0, Cli.Psc_(holder, "delete", "--force", holderId).ExitCode);
        }
    }

    [RequiresRootTheory]
    [InlineData("idmap", "1000:1000")]
    [InlineData("ridmap", "0:0")]
    public void Idmap_maps_the_top_mount_of_an_rbind_and_ridmap_every_mount_below_it_too(string option, string submountOwner)
    {
        // A tmpfs owned by 1000 mounted inside the source: "idmap" leaves it as it is (1000 is
        // 1000 in the host's namespaces), "ridmap" maps it like the top mount.
        var sub = Path.Combine(_data, "sub");
        Directory.CreateDirectory(sub);
        BundleFixture.Run("mount", "-t", "tmpfs", "-o", $"uid={HostUser},gid={HostUser},mode=755", "psc-idmap-sub", sub);
        try
        {
            using var b = fixture.NewBundle(s =>
            {
                s.Process!.Args = ["sh", "-c", "stat -c '%u:%g %n' /home /home/sub"];
                s.Mounts!.Add(new Mount
                {
                    Destination = "/home", Type = "bind", Source = _data, Options = ["rbind", option],
                    UidMappings = Map(HostUser, 0, 1), GidMappings = Map(HostUser, 0, 1),
                });
            });
            var r = Cli.Psc_(b, "run", "-b", b.Dir, Id());
            Assert.True(r.ExitCode == 0, r.Stderr);
            Assert.Equal($"0:0 /home\n{submountOwner} /home/sub\n", r.Stdout);
        }
        finally
        {
            BundleFixture.Run("umount", sub);
        }
    }

    [RequiresRootFact]
    public void A_file_system_that_cannot_idmap_is_a_clear_error_that_leaves_nothing_behind()
    {
        var id = Id();
        using var b = NewBundle(s =>
        {
            AddUserNamespace(s);
            s.Mounts!.Add(new Mount { Destination = "/home", Type = "bind", Source = "/proc/sys", Options = ["rbind", "idmap"] });
        });
        var index = MountIndex(b, "/home");
        var r = Cli.Psc_(b, "run", "-b", b.Dir, id);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"idmap /proc/sys for mounts[{index}] (/home): EINVAL", r.Stderr, StringComparison.Ordinal);
        Assert.Contains($"mounts[{index}]: the file system of /proc/sys does not support idmapped mounts", r.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(b.PscRoot, id)));
    }

    private static int MountIndex(Bundle b, string destination)
    {
        var spec = System.Text.Json.JsonSerializer.Deserialize(File.ReadAllText(Path.Combine(b.Dir, "config.json")), OciJsonContext.Default.Spec)!;
        return spec.Mounts!.FindIndex(m => m.Destination == destination);
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);
}
