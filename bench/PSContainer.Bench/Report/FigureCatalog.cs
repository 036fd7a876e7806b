namespace PSContainer.Bench.Report;

/// <summary>
/// Every figure bench/run.sh records, with its unit and direction, and the targets set by the
/// issues. The ids here are the "figure" field of the samples file.
/// </summary>
internal static class FigureCatalog
{
    public static readonly Figure[] Figures =
    [
        new("run_rm", "1", "`run --rm busybox true`, end to end", "s", true, ["ours", "docker", "podman"],
            "`docker run --rm --network none busybox true` against our engine and the private dockerd; `podman run --rm --network none` with runc"),
        new("runtime_run", "2a", "runtime alone: `run` of busybox `true`", "s", true, ["ours", "runc"],
            "`psc-runc run` vs `runc run` on the same bundle (umoci unpack of busybox, `runc spec` defaults, terminal off)"),
        new("runtime_lifecycle", "2b", "runtime alone: create + start + delete", "s", true, ["ours", "runc"],
            "`create`, `start`, `delete --force` of busybox `true`, timed together"),
        new("fifty_total", "3", "{fifty} detached `sleep` containers: start one after another, then remove", "s", true, ["ours", "docker", "podman"],
            "{fifty} × `run -d --network none busybox sleep 600`, then one `rm -f` of all {fifty} ({fifty_runs} iterations)"),
        new("fifty_start", "3a", "… of which starting the {fifty}", "s", true, ["ours", "docker", "podman"], "the {fifty} `run -d` calls"),
        new("fifty_remove", "3b", "… of which removing the {fifty}", "s", true, ["ours", "docker", "podman"], "one `rm -f` (podman: `rm -f -t 0`) with {fifty} names"),
        new("exec", "4", "exec latency: `exec C true`", "s", true, ["ours", "docker", "podman"],
            "`docker exec C true` / `podman exec C true` into a running `sleep` container"),
        new("shim_pss", "5a", "idle memory per container: PSS of its shim (psc-shim / containerd-shim-runc-v2 / conmon)", "MiB", true, ["ours", "docker", "podman"],
            "{mem} `sleep` containers running; PSS from /proc/PID/smaps_rollup of the parent of each container's init; median and range over the {mem} (a shim holding several containers is divided among them)"),
        new("daemon_pss", "5b", "daemon memory, idle: PSS (psc-engine / dockerd + its containerd)", "MiB", true, ["ours", "docker"],
            "sum of PSS of the daemon processes with no containers, after the earlier benchmarks ran; podman has no daemon"),
        new("daemon_rss", "5c", "daemon memory, idle: RSS (psc-engine / dockerd + its containerd)", "MiB", true, ["ours", "docker"],
            "sum of RSS (VmRSS) of the daemon processes, measured with 5b"),
        new("load", "6a", "`load` of the {image} test image", "s", true, ["ours", "docker", "podman"],
            "`docker load -i` of the docker archive / `podman load`, the image removed (and checked gone) before each run"),
        new("pull", "6b", "pull of the {image} test image from a local registry", "s", true, ["ours", "docker", "podman"],
            "`docker pull` / `podman pull` from Debian's docker-registry on 127.0.0.1 (plain HTTP; pushed once with skopeo), the image removed before each run"),
        new("pull_layers10", "6c", "pull of a 10-layer image from a local registry", "s", true, ["ours", "docker", "podman"],
            "as 6b; busybox plus 9 layers of one 256 KiB random file each, built in the run with `umoci insert`"),
        new("api_rps", "7a", "API: `GET /containers/json?all=1` with {api} containers", "req/s", false, ["ours", "docker"],
            "psc-bench api-rate: 4 keep-alive connections on the Unix socket, each body read in full"),
        new("ps", "7b", "`ps -a` wall time with {api} containers", "s", true, ["ours", "docker", "podman"],
            "`docker ps -a` / `podman ps -a`, output discarded"),
        new("cold_start", "8", "engine cold start until `/_ping` answers", "s", true, ["ours", "docker"],
            "from exec of the daemon (dockerd starts its own containerd) to the first 200 from /_ping"),
        new("port_rps", "9", "TCP requests through a published port", "req/s", false, ["ours", "docker"],
            "psc-bench tcp-rate against busybox httpd published on 127.0.0.1: one connection per request, 4 in parallel"),
    ];

    public static readonly Target[] Targets =
    [
        new("end to end `run --rm true` at most 0.5× podman", "run_rm", "podman", 0.5, "#9, #5"),
        new("end to end `run --rm true` under dockerd's time", "run_rm", "docker", 1.0, "#5"),
        new("runtime alone (`run`) at most 1.0× runc", "runtime_run", "runc", 1.0, "#9, #3"),
        new("runtime create + start + delete at most 1.0× runc", "runtime_lifecycle", "runc", 1.0, "#3"),
        new("50 detached containers started in under 0.25× dockerd's time", "fifty_start", "docker", 0.25, "#5"),
        new("shim PSS per container at most containerd-shim-runc-v2's", "shim_pss", "docker", 1.0, "#9, #4"),
        new("engine idle RSS at most 0.5× dockerd + containerd", "daemon_rss", "docker", 0.5, "#9"),
        new("pull faster than docker", "pull", "docker", 1.0, "#6"),
        new("pull faster than podman", "pull", "podman", 1.0, "#6"),
        new("10-layer pull faster than docker", "pull_layers10", "docker", 1.0, "#6"),
        new("10-layer pull faster than podman", "pull_layers10", "podman", 1.0, "#6"),
    ];
}
