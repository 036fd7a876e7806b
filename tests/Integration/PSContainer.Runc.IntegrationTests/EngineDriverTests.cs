using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Runc.IntegrationTests;

/// <summary>podman drives psc-runc as its OCI runtime (--runtime): run, exit codes, exec, ps, stop.</summary>
public class PodmanDrivesPscRuncTests(PodmanFixture podman) : IClassFixture<PodmanFixture>
{
    private static string Name() => "p" + Guid.NewGuid().ToString("N")[..10];

    [RequiresRootFact]
    public void Run_rm_echo_hi()
    {
        var r = podman.Podman(["run", "--rm", .. PodmanFixture.RunOptions, "busybox", "echo", "hi"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("hi\n", r.Stdout);
    }

    [RequiresRootFact]
    public void Exit_codes_reach_podman()
    {
        Assert.Equal(7, podman.Podman(["run", "--rm", .. PodmanFixture.RunOptions, "busybox", "sh", "-c", "exit 7"]).ExitCode);
        var missing = podman.Podman(["run", "--rm", .. PodmanFixture.RunOptions, "busybox", "no-such-command"]);
        Assert.Equal(127, missing.ExitCode);
        Assert.Contains("executable file not found in $PATH", missing.Stderr, StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public void A_user_namespace_from_uidmap_and_gidmap()
    {
        // podman chowns its copy of the image to the mapped ids; psc-runc creates the namespace.
        var r = podman.Podman(["run", "--rm", .. PodmanFixture.RunOptions, "--uidmap", "0:100000:65536", "--gidmap", "0:100000:65536",
            "busybox", "sh", "-c", "id -u; cat /proc/self/uid_map; stat -c %u /bin; ls /sys/fs/cgroup/memory/cgroup.procs"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("0\n         0     100000      65536\n0\n/sys/fs/cgroup/memory/cgroup.procs\n", r.Stdout);
    }

    [RequiresRootFact]
    public void A_volume_with_idmap_is_seen_through_the_containers_user_namespace()
    {
        // podman passes "idmap" without mappings: psc-runc maps the bind with the container's maps,
        // so a directory of the host's uid 1000 shows as 1000 inside and root's writes land as 0.
        var data = Directory.CreateTempSubdirectory("psc-podman-idmap-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(data, "owned"), "");
            BundleFixture.Run("chown", "-R", "1000:1000", data);
            BundleFixture.Run("chmod", "0777", data); // the container's root has no CAP_DAC_OVERRIDE
            var r = podman.Podman(["run", "--rm", .. PodmanFixture.RunOptions, "--uidmap", "0:100000:65536", "--gidmap", "0:100000:65536",
                "-v", $"{data}:/home:idmap", "busybox", "sh", "-c", "stat -c '%u:%g %n' /home/owned; touch /home/created"]);
            Assert.True(r.ExitCode == 0, r.Stderr);
            Assert.Equal("1000:1000 /home/owned\n", r.Stdout);
            Assert.Equal("0:0", BundleFixture.Run("stat", "-c", "%u:%g", Path.Combine(data, "created")).Trim());
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [RequiresRootFact]
    public void Detached_container_exec_ps_and_stop()
    {
        var name = Name();
        var run = podman.Podman(["run", "-d", "--name", name, .. PodmanFixture.RunOptions, "busybox", "sleep", "300"]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        try
        {
            Assert.StartsWith($"{name} Up ", podman.Podman("ps", "--filter", $"name={name}", "--format", "{{.Names}} {{.Status}}").Stdout, StringComparison.Ordinal);
            Assert.Equal("running", podman.Podman("inspect", "-f", "{{.State.Status}}", name).Stdout.Trim());
            var exec = podman.Podman("exec", name, "sh", "-c", "echo in-exec; exit 3");
            Assert.Equal((3, "in-exec\n"), (exec.ExitCode, exec.Stdout));
            var tty = podman.Podman("exec", "-t", name, "tty");
            Assert.Equal((0, "/dev/pts/0"), (tty.ExitCode, tty.Stdout.Trim()));

            // sleep ignores SIGTERM as pid 1: podman falls back to SIGKILL through `psc-runc kill`.
            var stop = podman.Podman("stop", "--time", "1", name);
            Assert.True(stop.ExitCode == 0, stop.Stderr);
            Assert.Equal("exited 137", podman.Podman("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", name).Stdout.Trim());
            Assert.StartsWith($"{name} Exited (137)", podman.Podman("ps", "-a", "--filter", $"name={name}", "--format", "{{.Names}} {{.Status}}").Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Assert.Equal(0, podman.Podman("rm", "--force", "--time", "0", name).ExitCode);
        }
    }
}

/// <summary>A private dockerd with `--add-runtime psc=psc-runc` runs containers with `--runtime psc`.</summary>
public class DockerdDrivesPscRuncTests(DockerdFixture dockerd) : IClassFixture<DockerdFixture>
{
    private static string Name() => "d" + Guid.NewGuid().ToString("N")[..10];

    private static readonly string[] Run = ["run", "--runtime", "psc", "--network", "none"];

    [RequiresRootFact]
    public void Run_rm_echo_hi()
    {
        var r = dockerd.Docker([.. Run, "--rm", "busybox", "echo", "hi"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("hi\n", r.Stdout);
    }

    [RequiresRootFact]
    public void Exit_codes_reach_docker()
    {
        Assert.Equal(9, dockerd.Docker([.. Run, "--rm", "busybox", "sh", "-c", "exit 9"]).ExitCode);
        var missing = dockerd.Docker([.. Run, "--rm", "busybox", "no-such-command"]);
        Assert.Equal(127, missing.ExitCode);
        Assert.Contains("executable file not found in $PATH", missing.Stderr, StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public void Detached_container_exec_and_stop()
    {
        var name = Name();
        var run = dockerd.Docker([.. Run, "-d", "--name", name, "busybox", "sleep", "300"]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        try
        {
            Assert.Equal("psc running", dockerd.Docker("inspect", "-f", "{{.HostConfig.Runtime}} {{.State.Status}}", name).Stdout.Trim());
            var exec = dockerd.Docker("exec", name, "sh", "-c", "echo in-exec; exit 4");
            Assert.Equal((4, "in-exec\n"), (exec.ExitCode, exec.Stdout));
            var tty = dockerd.Docker("exec", "-t", name, "tty");
            Assert.Equal((0, "/dev/pts/0"), (tty.ExitCode, tty.Stdout.Trim()));

            var stop = dockerd.Docker("stop", "-t", "1", name);
            Assert.True(stop.ExitCode == 0, stop.Stderr);
            Assert.Equal("exited 137", dockerd.Docker("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", name).Stdout.Trim());
        }
        finally
        {
            Assert.Equal(0, dockerd.Docker("rm", "-f", name).ExitCode);
        }
    }
}
