using PSContainer.Oci;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Runc.IntegrationTests;

/// <summary>psc-runc on a real busybox bundle, as root: exit codes, output, lifecycle, exec, security settings, cleanup.</summary>
public class RunTests(BundleFixture fixture) : IClassFixture<BundleFixture>
{
    private Bundle Sh(string script, Action<Spec>? change = null) => fixture.NewBundle(s =>
    {
        s.Process!.Args = ["sh", "-c", script];
        change?.Invoke(s);
    });

    private static string Id() => "t" + Guid.NewGuid().ToString("N")[..10];

    [RequiresRootTheory]
    [InlineData("true", 0)]
    [InlineData("false", 1)]
    [InlineData("exit 42", 42)]
    [InlineData("exit 255", 255)]
    public void Run_returns_the_exit_status(string script, int expected)
    {
        using var b = Sh(script);
        var r = Cli.Psc_(b, "run", "-b", b.Dir, Id());
        Assert.Equal(expected, r.ExitCode);
        Assert.Empty(Directory.Exists(b.PscRoot) ? Directory.GetDirectories(b.PscRoot) : []); // run without -d deletes
    }

    [RequiresRootFact]
    public void Stdout_and_stderr_are_the_callers()
    {
        using var b = Sh("echo out; echo err >&2");
        var r = Cli.Psc_(b, "run", "-b", b.Dir, Id());
        Assert.Equal((0, "out\n", "err\n"), (r.ExitCode, r.Stdout, r.Stderr));
    }

    [RequiresRootFact]
    public void Run_with_a_trace_file_still_executes_the_sealed_helper()
    {
        // The trace file is one more fd mapped into psc-nsexec; it once landed on the number of the
        // sealed helper's memfd, so execve of /proc/self/fd/N ran into the trace file (EACCES).
        using var b = Sh("echo traced");
        var trace = Path.Combine(b.Dir, "trace.jsonl");
        var r = Cli.Exec("/usr/bin/env", [$"PSC_TRACE_FILE={trace}", Cli.Psc, "--root", b.PscRoot, "run", "-b", b.Dir, Id()]);
        Assert.Equal((0, "traced\n", ""), (r.ExitCode, r.Stdout, r.Stderr));
        Assert.Contains("\"step\":\"nsexec.execve\"", File.ReadAllText(trace), StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public void Create_does_not_run_the_process_until_start()
    {
        using var b = fixture.NewBundle(s => s.Process!.Args = ["sleep", "300"]);
        var id = Id();
        var pidFile = Path.Combine(b.Dir, "pid");
        Assert.Equal(0, Cli.Psc_(b, "create", "-b", b.Dir, "--pid-file", pidFile, id).ExitCode);
        var pid = int.Parse(File.ReadAllText(pidFile), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("\"status\": \"created\"", Cli.Psc_(b, "state", id).Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("sleep", File.ReadAllText($"/proc/{pid}/cmdline"), StringComparison.Ordinal);

        Assert.Equal(0, Cli.Psc_(b, "start", id).ExitCode);
        Assert.StartsWith("sleep\0300", File.ReadAllText($"/proc/{pid}/cmdline"), StringComparison.Ordinal);
        var state = Cli.Psc_(b, "state", id).Stdout;
        Assert.Contains("\"status\": \"running\"", state, StringComparison.Ordinal);
        Assert.Contains($"\"pid\": {pid}", state, StringComparison.Ordinal);

        var start = Cli.Psc_(b, "start", id);
        Assert.Equal(1, start.ExitCode);
        Assert.Contains("cannot start an already running container", start.Stderr, StringComparison.Ordinal);
        var delete = Cli.Psc_(b, "delete", id);
        Assert.Equal(1, delete.ExitCode);
        Assert.Contains($"cannot delete container {id} that is not stopped: running", delete.Stderr, StringComparison.Ordinal);

        Assert.Equal(0, Cli.Psc_(b, "kill", id, "KILL").ExitCode);
        WaitUntil(() => Cli.Psc_(b, "state", id).Stdout.Contains("\"status\": \"stopped\"", StringComparison.Ordinal));
        Assert.Equal(0, Cli.Psc_(b, "delete", id).ExitCode);
        Assert.False(Directory.Exists(Path.Combine(b.PscRoot, id)));
        Assert.Contains("does not exist", Cli.Psc_(b, "state", id).Stderr, StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public void Exec_runs_in_the_container_and_returns_its_status()
    {
        using var b = fixture.NewBundle(s => { s.Process!.Args = ["sleep", "300"]; s.Hostname = "exec-box"; });
        var id = Id();
        Assert.Equal(0, Cli.Psc_(b, "run", "-d", "-b", b.Dir, id).ExitCode);
        var r = Cli.Psc_(b, "exec", id, "sh", "-c", "hostname; echo $$; exit 7");
        Assert.Equal(7, r.ExitCode);
        var lines = r.Stdout.Split('\n');
        Assert.Equal("exec-box", lines[0]);
        Assert.NotEqual("1", lines[1]); // a new process in the container's pid namespace, not its init
        var user = Cli.Psc_(b, "exec", "--user", "1000:1000", "--env", "FOO=bar", "--cwd", "/tmp", id, "sh", "-c", "id -u; id -g; echo $FOO; pwd");
        Assert.Equal("1000\n1000\nbar\n/tmp\n", user.Stdout);
        var ps = Cli.Psc_(b, "ps", "--format", "json", id);
        Assert.Equal(0, ps.ExitCode);
        Assert.StartsWith("[", ps.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, Cli.Psc_(b, "delete", "--force", id).ExitCode);
    }

    [RequiresRootFact]
    public void A_readonly_rootfs_refuses_writes_and_tmpfs_mounts_still_work()
    {
        using var b = Sh("touch /x 2>&1; echo ok > /dev/shm/y && cat /dev/shm/y", s => s.Root!.Readonly = true);
        var r = Cli.Psc_(b, "run", "-b", b.Dir, Id());
        Assert.Contains("Read-only file system", r.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("ok\n", r.Stdout, StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public void User_groups_hostname_and_masked_paths_apply()
    {
        using var b = Sh("id -u; id -g; id -G; hostname; wc -c < /proc/timer_list; ls /sys/firmware | wc -l; cat /proc/self/oom_score_adj", s =>
        {
            s.Process!.User = new User { Uid = 1000, Gid = 1001, AdditionalGids = [2000, 2001] };
            s.Hostname = "masked-box";
            s.Process.OomScoreAdj = 123;
            // /proc/timer_list exists on every kernel (this VM's has no /proc/kcore) and is unreadable
            // for uid 1000 unless masked with /dev/null.
            s.Linux!.MaskedPaths = ["/proc/timer_list", "/sys/firmware"];
        });
        var r = Cli.Psc_(b, "run", "-b", b.Dir, Id());
        Assert.Equal("1000\n1001\n1001 2000 2001\nmasked-box\n0\n0\n123\n", r.Stdout);
    }

    [RequiresRootFact]
    public void A_missing_executable_fails_create_with_runcs_message_and_leaves_nothing()
    {
        using var b = fixture.NewBundle(s => s.Process!.Args = ["no-such-binary"]);
        var id = Id();
        var r = Cli.Psc_(b, "run", "-b", b.Dir, id);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("no-such-binary", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("executable file not found in $PATH", r.Stderr, StringComparison.Ordinal);
        AssertNothingLeft(b, id);
    }

    [RequiresRootFact]
    public void A_failing_step_is_named_and_cleaned_up()
    {
        using var b = fixture.NewBundle(s => s.Process!.Rlimits = [new PosixRlimit { Type = "RLIMIT_NOFILE", Soft = 1 << 30, Hard = 1 << 30 }]);
        var id = Id();
        var r = Cli.Psc_(b, "create", "-b", b.Dir, id);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("setrlimit RLIMIT_NOFILE soft=1073741824 hard=1073741824: EPERM", r.Stderr, StringComparison.Ordinal);
        AssertNothingLeft(b, id);
    }

    [RequiresRootFact]
    public void Bad_configs_and_ids_get_one_clear_line()
    {
        using var b = fixture.NewBundle(s => s.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "foo" }));
        var r = Cli.Psc_(b, "create", "-b", b.Dir, "x1");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("config.json: linux.namespaces[5].type: unknown namespace \\\"foo\\\"", r.Stderr, StringComparison.Ordinal);
        AssertNothingLeft(b, "x1");
        Assert.Contains("invalid container id", Cli.Psc_(b, "create", "-b", b.Dir, "a/b").Stderr, StringComparison.Ordinal);
        Assert.Contains("config.json: no such file: /nonexistent-bundle/config.json", Cli.Psc_(b, "create", "-b", "/nonexistent-bundle", "x2").Stderr, StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public void A_duplicate_id_is_refused_without_touching_the_first()
    {
        using var b = fixture.NewBundle(s => s.Process!.Args = ["sleep", "300"]);
        var id = Id();
        Assert.Equal(0, Cli.Psc_(b, "create", "-b", b.Dir, id).ExitCode);
        var again = Cli.Psc_(b, "create", "-b", b.Dir, id);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains($"container with id exists: {id}", again.Stderr, StringComparison.Ordinal);
        Assert.Contains("\"status\": \"created\"", Cli.Psc_(b, "state", id).Stdout, StringComparison.Ordinal);
        Assert.Equal(0, Cli.Psc_(b, "delete", id).ExitCode); // a created container can be deleted without --force
    }

    [RequiresRootFact]
    public void Only_stdio_reaches_the_container()
    {
        using var b = Sh("ls /proc/self/fd");
        var r = Cli.Psc_(b, "run", "-b", b.Dir, Id());
        Assert.Equal("0\n1\n2\n3\n", r.Stdout); // 3 is ls's own directory fd
    }

    [RequiresRootFact]
    public void Hooks_get_the_state_on_stdin()
    {
        var outDir = Directory.CreateTempSubdirectory("hooks-").FullName;
        try
        {
            using var b = Sh("true", s => s.Hooks = new Hooks
            {
                CreateRuntime = [new Hook { Path = "/bin/sh", Args = ["sh", "-c", $"cat > {outDir}/createRuntime"] }],
                Poststop = [new Hook { Path = "/bin/sh", Args = ["sh", "-c", $"cat > {outDir}/poststop"] }],
            });
            var id = Id();
            var r = Cli.Psc_(b, "run", "-b", b.Dir, id);
            Assert.True(r.ExitCode == 0, r.Stderr);
            var created = File.ReadAllText(Path.Combine(outDir, "createRuntime"));
            Assert.Contains($"\"id\":\"{id}\"", created, StringComparison.Ordinal);
            Assert.Contains("\"status\":\"creating\"", created, StringComparison.Ordinal);
            Assert.Contains("\"status\":\"stopped\"", File.ReadAllText(Path.Combine(outDir, "poststop")), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(outDir, recursive: true);
        }
    }

    [RequiresRootFact]
    public void A_failing_create_hook_aborts_and_cleans_up()
    {
        using var b = Sh("true", s => s.Hooks = new Hooks { CreateRuntime = [new Hook { Path = "/bin/false" }] });
        var id = Id();
        var r = Cli.Psc_(b, "run", "-b", b.Dir, id);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("createRuntime hook #0 /bin/false failed: exit status 1", r.Stderr, StringComparison.Ordinal);
        AssertNothingLeft(b, id);
    }

    private static void AssertNothingLeft(Bundle b, string id)
    {
        Assert.False(Directory.Exists(Path.Combine(b.PscRoot, id)), "state directory left behind");
        foreach (var hierarchy in new[] { "memory", "pids", "devices", "cpu" })
        {
            Assert.False(Directory.Exists($"/sys/fs/cgroup/{hierarchy}/{id}"), $"cgroup {hierarchy}/{id} left behind");
        }
        Assert.DoesNotContain(File.ReadAllText("/proc/self/mountinfo"), id, StringComparison.Ordinal);
    }

    internal static void WaitUntil(Func<bool> condition)
    {
        // Bounded polling for a state change the kernel reports asynchronously (not a timed assertion).
        for (var i = 0; i < 200 && !condition(); i++)
        {
            Thread.Sleep(25);
        }
        Assert.True(condition());
    }
}
