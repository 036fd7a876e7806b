using PSContainer.TestSupport;

namespace PSContainer.Runc.IntegrationTests;

/// <summary>
/// podman with a private root, run root and temp dir (vfs storage, cgroupfs, file events), with
/// busybox loaded from the test image archive and psc-runc as its OCI runtime. Teardown removes
/// every container and the whole directory.
/// </summary>
public sealed class PodmanFixture : EngineHost
{
    public PodmanFixture() : base("pscp")
    {
        if (!CanRun)
        {
            return;
        }
        Require("podman");
        var load = Podman("load", "-i", TestEnvironment.Image("busybox-docker.tar"));
        if (load.ExitCode != 0)
        {
            throw new InvalidOperationException($"podman load: {load.Stderr}");
        }
    }

    private string[] Globals =>
    [
        "--root", Path.Combine(Dir, "root"), "--runroot", Path.Combine(Dir, "run"), "--tmpdir", Path.Combine(Dir, "tmp"),
        "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs", "--events-backend", "file", "--runtime", Psc,
    ];

    /// <summary>
    /// Options every `run` needs here: no network (nothing on the host's), and rlimits at or below
    /// the hard limits, which this machine does not let even root raise (DESIGN.md §6).
    /// </summary>
    public static readonly string[] RunOptions = ["--network", "none", "--ulimit", "nofile=20000:20000", "--ulimit", "nproc=32768:32768"];

    public Cli.Result Podman(params string[] args) => Timed("podman", [.. Globals, .. args]);

    protected override void StopEngine()
    {
        Podman("rm", "--all", "--force", "--time", "0");
        Podman("rmi", "--all", "--force");
    }
}
