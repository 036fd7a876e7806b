using System.Text.Json;
using PSContainer.Oci;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Runc.IntegrationTests;

/// <summary>psc-runc against Debian's runc on the same bundle: what the container sees must be the same.</summary>
public class DifferentialTests(BundleFixture fixture) : IClassFixture<BundleFixture>
{
    private static string Id() => "d" + Guid.NewGuid().ToString("N")[..10];

    private (Cli.Result Psc, Cli.Result Runc) Both(Action<Spec> change)
    {
        using var b = fixture.NewBundle(change);
        return (Cli.Psc_(b, "run", "-b", b.Dir, Id()), Cli.Runc(b, "run", "-b", b.Dir, Id()));
    }

    [RequiresRootFact]
    public void Capabilities_no_new_privs_and_seccomp_lines_match()
    {
        var (psc, runc) = Both(s => s.Process!.Args = ["grep", "-E", "^(Cap|NoNewPrivs|Seccomp)", "/proc/self/status"]);
        Assert.Equal(0, runc.ExitCode);
        Assert.Equal(runc.Stdout, psc.Stdout);
        Assert.Contains("CapBnd:", psc.Stdout, StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public void A_seccomp_profile_filters_the_same_way()
    {
        var (psc, runc) = Both(s =>
        {
            s.Process!.Args = ["sh", "-c", "grep Seccomp: /proc/self/status; mkdir /tmp/x 2>&1; echo $?"];
            s.Linux!.Seccomp = JsonSerializer.Deserialize("""
                {"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],
                 "syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}
                """, OciJsonContext.Default.LinuxSeccomp);
        });
        Assert.Equal(0, runc.ExitCode);
        Assert.Equal(runc.Stdout, psc.Stdout);
        Assert.Contains("Seccomp:\t2", psc.Stdout, StringComparison.Ordinal);
        Assert.Contains("Operation not permitted", psc.Stdout, StringComparison.Ordinal);
    }

    [RequiresRootTheory]
    [InlineData("exit 0")]
    [InlineData("exit 3")]
    [InlineData("kill -KILL $$")]
    public void Exit_codes_match(string script)
    {
        var (psc, runc) = Both(s => s.Process!.Args = ["sh", "-c", script]);
        Assert.Equal(runc.ExitCode, psc.ExitCode);
    }

    [RequiresRootTheory]
    [InlineData("tmpcopyup,nosuid")]
    [InlineData("tmpcopyup,nosuid,ro")]
    public void A_tmpfs_with_tmpcopyup_starts_with_a_copy_of_the_directory_it_covers(string optionList)
    {
        var options = optionList.Split(',');
        // The image's /etc (owners, modes, sizes, links; times are the copy's own), the tmpfs's own root, whether it is
        // writable, and its mountinfo line; the rootfs underneath stays untouched.
        var (psc, runc) = Both(s =>
        {
            s.Mounts!.Add(new Mount { Destination = "/etc", Type = "tmpfs", Source = "tmpfs", Options = [.. options] });
            s.Process!.Args = ["sh", "-c", "ls -lnaR /etc | awk '{print $1, $3, $4, $5, $NF}'; stat -c '%a %u %g' /etc; " +
                "{ echo x > /etc/created; } 2>&1; cat /etc/created 2>&1; awk '$5 == \"/etc\" {print $6, $(NF-2), $NF}' /proc/self/mountinfo"];
        });
        Assert.True(runc.ExitCode == 0, runc.Stderr);
        Assert.True(psc.ExitCode == 0, psc.Stderr);
        Assert.Equal(runc.Stdout, psc.Stdout);
        Assert.Contains(" passwd\n", psc.Stdout, StringComparison.Ordinal);
        Assert.Contains(options.Contains("ro") ? "Read-only file system" : "x\n", psc.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(fixture.Rootfs, "etc", "created")));
    }

    [RequiresRootFact]
    public void The_mount_table_has_the_same_shape()
    {
        // Mount points, filesystem types and options, without ids and sources that differ per run.
        var (psc, runc) = Both(s => s.Process!.Args = ["sh", "-c", "awk '{i=7; while ($i != \"-\") i++; print $5, $6, $(i+1)}' /proc/self/mountinfo"]);
        Assert.Equal(0, runc.ExitCode);
        HybridCgroup.AssertShownByPscOnly(psc.Stdout, runc.Stdout);
        Assert.Equal(Normalize(runc.Stdout), Normalize(HybridCgroup.WithoutUnified(psc.Stdout)));

        // Deliberate difference: psc-runc remounts readonlyPaths with nosuid,nodev,noexec as well
        // (a superset of any locked flags, so the remount also works in user namespaces); runc keeps
        // the bind's own flags. Read-only-ness, the point of the test, is still compared.
        static string Normalize(string s) => string.Join('\n', s.Split('\n')
            .Select(l => l.Replace("relatime,", "", StringComparison.Ordinal).Replace("relatime", "", StringComparison.Ordinal))
            .Select(l => l.StartsWith("/proc/", StringComparison.Ordinal) ? l.Replace("ro,nosuid,nodev,noexec", "ro", StringComparison.Ordinal) : l));
    }

    [RequiresRootTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_cgroup_mount_matches_runcs_layout(bool cgroupNamespace)
    {
        // The cgroup's own path is in mountinfo's root field: each runtime gets an absolute one
        // named after its container, replaced by "ID" before comparing.
        var ids = new List<string>();
        var (psc, runc) = Both(s =>
        {
            var id = Id();
            ids.Add(id);
            s.Linux!.CgroupsPath = "/" + id;
            if (cgroupNamespace)
            {
                s.Linux.Namespaces!.Add(new LinuxNamespace { Type = "cgroup" });
            }
            s.Process!.Args = ["sh", "-c", "awk '$5 ~ /^\\/sys\\/fs\\/cgroup/ {i=7; while ($i != \"-\") i++; print $4, $5, $6, $(i+1), $(i+2), $(i+3)}' /proc/self/mountinfo; ls -l /sys/fs/cgroup | awk '{print $1, $3, $NF}'"];
        });
        Assert.Equal(0, runc.ExitCode);
        Assert.Equal(0, psc.ExitCode);
        Assert.Contains(" tmpfs tmpfs ", runc.Stdout, StringComparison.Ordinal);
        HybridCgroup.AssertShownByPscOnly(psc.Stdout, runc.Stdout);
        Assert.Equal(WithoutIds(runc.Stdout), WithoutIds(HybridCgroup.WithoutUnified(psc.Stdout)));

        string WithoutIds(string s) => ids.Aggregate(s, (text, id) => text.Replace(id, "ID", StringComparison.Ordinal));
    }

    [RequiresRootFact]
    public void Devices_and_fds_match()
    {
        var (psc, runc) = Both(s => s.Process!.Args = ["sh", "-c", "ls -l /dev | awk '{print $1, $5, $6, $NF}'; ls /proc/self/fd"]);
        Assert.Equal(0, runc.ExitCode);
        Assert.Equal(runc.Stdout, psc.Stdout);
    }

    [RequiresRootFact]
    public void State_json_has_the_same_fields()
    {
        using var b = fixture.NewBundle(s => s.Process!.Args = ["sleep", "300"]);
        var (pscId, runcId) = (Id(), Id());
        Assert.Equal(0, Cli.Psc_(b, "create", "-b", b.Dir, pscId).ExitCode);
        Assert.Equal(0, Cli.Runc(b, "create", "-b", b.Dir, runcId).ExitCode);
        using var psc = JsonDocument.Parse(Cli.Psc_(b, "state", pscId).Stdout);
        using var runc = JsonDocument.Parse(Cli.Runc(b, "state", runcId).Stdout);
        Assert.Equal(Names(runc.RootElement), Names(psc.RootElement));
        // ociVersion is the spec version each runtime speaks (runc 1.1 says 1.0.2-dev), not the bundle's.
        Assert.Equal(ContainerRuntime.OciVersion, psc.RootElement.GetProperty("ociVersion").GetString());
        foreach (var field in new[] { "status", "bundle", "rootfs", "owner" })
        {
            Assert.Equal(runc.RootElement.GetProperty(field).ToString(), psc.RootElement.GetProperty(field).ToString());
        }
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$", psc.RootElement.GetProperty("created").GetString());
        Assert.Equal(0, Cli.Psc_(b, "delete", "--force", pscId).ExitCode);
        Assert.Equal(0, Cli.Runc(b, "delete", "--force", runcId).ExitCode);

        static string[] Names(JsonElement e) => e.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
    }
}
