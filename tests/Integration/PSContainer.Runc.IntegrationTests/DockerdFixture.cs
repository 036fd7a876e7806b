using System.Globalization;
using PSContainer.TestSupport;

namespace PSContainer.Runc.IntegrationTests;

/// <summary>
/// A private dockerd (own socket, data root, exec root, pid file; it starts its own containerd)
/// that knows psc-runc as the runtime "psc"; no iptables, no bridge, so it touches no host
/// networking. Busybox is loaded from the test image archive. Teardown removes the containers,
/// stops dockerd (and the containerd it started) by PID and removes every directory.
/// </summary>
public sealed class DockerdFixture : EngineHost
{
    private readonly System.Diagnostics.Process? _dockerd;

    public DockerdFixture() : base("pscd")
    {
        if (!CanRun)
        {
            return;
        }
        Require("dockerd");
        Require("docker");
        var config = Path.Combine(Dir, "daemon.json");
        File.WriteAllText(config, "{}");
        _dockerd = StartDaemon(Path.Combine(Dir, "dockerd.log"), "dockerd",
        [
            "--host", "unix://" + Socket, "--data-root", Path.Combine(Dir, "data"), "--exec-root", Path.Combine(Dir, "exec"),
            "--pidfile", Path.Combine(Dir, "dockerd.pid"), "--config-file", config,
            "--iptables=false", "--ip6tables=false", "--ip-masq=false", "--bridge=none", "--log-level", "warn",
            "--add-runtime", "psc=" + Psc,
        ]);
        try
        {
            WaitUntilAnswering();
            var load = Docker("load", "-i", TestEnvironment.Image("busybox-docker.tar"));
            if (load.ExitCode != 0)
            {
                throw new InvalidOperationException($"docker load: {load.Stderr}");
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    private string Socket => Path.Combine(Dir, "d.sock");

    public Cli.Result Docker(params string[] args) => Timed("docker", ["-H", "unix://" + Socket, .. args]);

    private void WaitUntilAnswering()
    {
        // Start-up readiness, bounded: dockerd answers once it has started its containerd.
        for (var i = 0; i < 600; i++)
        {
            if (_dockerd!.HasExited)
            {
                throw new InvalidOperationException($"dockerd exited during start-up: {File.ReadAllText(Path.Combine(Dir, "dockerd.log"))}");
            }
            if (File.Exists(Socket) && Docker("version").ExitCode == 0)
            {
                return;
            }
            Thread.Sleep(100);
        }
        throw new InvalidOperationException($"dockerd did not answer on {Socket}: {File.ReadAllText(Path.Combine(Dir, "dockerd.log"))}");
    }

    protected override void StopEngine()
    {
        if (_dockerd is null)
        {
            return;
        }
        if (!_dockerd.HasExited)
        {
            var ids = Docker("ps", "-aq").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (ids.Length > 0)
            {
                Docker(["rm", "-f", .. ids]);
            }
        }
        StopProcess(_dockerd, 30_000);
        // dockerd stops its containerd on the way out; if dockerd was killed, containerd is left.
        var pidFile = Path.Combine(Dir, "exec", "containerd", "containerd.pid");
        if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) &&
            File.Exists($"/proc/{pid}/cmdline") && File.ReadAllText($"/proc/{pid}/cmdline").Contains(Dir, StringComparison.Ordinal))
        {
            Cli.Exec("kill", ["-KILL", pid.ToString(CultureInfo.InvariantCulture)]);
        }
        _dockerd.Dispose();
    }
}
