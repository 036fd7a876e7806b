using System.Diagnostics;
using System.Text;
using PSContainer.TestSupport;

namespace PSContainer.Engine.IntegrationTests;

/// <summary>
/// A real psc-engine from $PSC_BIN on private roots (temp data and exec roots, its own socket),
/// driven with the real docker CLI. Disposing removes every container it made, stops the engine
/// and deletes the roots, also after a failed test.
/// </summary>
public sealed class EngineProcess : IDisposable
{
    public const string DockerCli = "/usr/local/bin/docker";

    private Process? _engine;
    private readonly StringBuilder _log = new();

    public EngineProcess()
    {
        // Short paths: shim sockets live under the exec root and sun_path holds 108 bytes.
        Root = Directory.CreateTempSubdirectory("psce-").FullName;
        DataRoot = Path.Combine(Root, "data");
        ExecRoot = Path.Combine(Root, "run");
        SocketPath = Path.Combine(ExecRoot, "engine.sock");
    }

    public string Root { get; }
    public string DataRoot { get; }
    public string ExecRoot { get; }
    public string SocketPath { get; }

    /// <summary>This engine's --network-prefix: its bridges, veths and iptables chains are named from it (and removed by it).</summary>
    public string NetworkPrefix { get; } = Networking.HostNetworkCleanup.NewPrefix();

    public int Pid => _engine?.Id ?? 0;

    /// <summary>What the engine wrote to stderr so far (attached to failure messages).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts the engine and waits until /_ping answers.</summary>
    public void Start()
    {
        var info = new ProcessStartInfo(Path.Combine(TestEnvironment.BinDir, "psc-engine"))
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--data-root", DataRoot, "--exec-root", ExecRoot, "--network-prefix", NetworkPrefix, "--debug" })
        {
            info.ArgumentList.Add(arg);
        }
        // The whole chain by default: the engine's own default runtime, psc-runc next to it.
        // PSC_ENGINE_RUNTIME=/usr/sbin/runc runs the same tests on the reference runtime, which
        // tells an engine bug from a runtime bug.
        var runtime = Environment.GetEnvironmentVariable("PSC_ENGINE_RUNTIME") is { Length: > 0 } chosen ? chosen : null;
        if (runtime is not null)
        {
            info.ArgumentList.Add("--runtime");
            info.ArgumentList.Add(runtime);
        }
        var engine = Process.Start(info) ?? throw new InvalidOperationException("cannot start psc-engine");
        engine.ErrorDataReceived += (_, e) => { lock (_log) { _log.AppendLine(e.Data); } };
        engine.OutputDataReceived += (_, e) => { lock (_log) { _log.AppendLine(e.Data); } };
        engine.BeginErrorReadLine();
        engine.BeginOutputReadLine();
        _engine = engine;
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (engine.HasExited)
            {
                throw new InvalidOperationException($"psc-engine exited with {engine.ExitCode}:\n{Log}");
            }
            if (File.Exists(SocketPath) && Docker("version").ExitCode == 0)
            {
                return;
            }
            Thread.Sleep(100);
        }
        throw new TimeoutException($"psc-engine did not answer on {SocketPath}:\n{Log}");
    }

    /// <summary>SIGKILL, as a crash would: the shims and containers stay.</summary>
    public void Kill()
    {
        if (_engine is { HasExited: false } engine)
        {
            engine.Kill();
            engine.WaitForExit();
        }
    }

    /// <summary>SIGTERM and wait (the engine removes its socket; containers keep running).</summary>
    public void Stop()
    {
        if (_engine is { HasExited: false } engine)
        {
            _ = PSContainer.Interop.Linux.Libc.kill(engine.Id, 15);
            if (!engine.WaitForExit(TimeSpan.FromSeconds(20)))
            {
                engine.Kill();
                engine.WaitForExit();
            }
        }
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
    }

    /// <summary>Runs the docker CLI against this engine.</summary>
    public Result Docker(string arguments, string? stdin = null, int timeoutSeconds = 60)
    {
        var info = new ProcessStartInfo(DockerCli)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var arg in SplitArguments(arguments))
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["DOCKER_HOST"] = "unix://" + SocketPath;
        info.Environment["DOCKER_CONFIG"] = Path.Combine(Root, "docker-config");
        using var process = Process.Start(info) ?? throw new InvalidOperationException("cannot run docker");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
            process.StandardInput.Close();
        }
        if (!process.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
        {
            process.Kill();
            process.WaitForExit();
            throw new TimeoutException($"docker {arguments} did not finish in {timeoutSeconds}s; engine log:\n{Log}");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>docker ... that must succeed; returns stdout.</summary>
    public string DockerOk(string arguments, string? stdin = null)
    {
        var result = Docker(arguments, stdin);
        return result.ExitCode == 0 ? result.Stdout : throw new InvalidOperationException($"docker {arguments} failed: {result}\nengine log:\n{Log}");
    }

    /// <summary>Arguments split on spaces, with '...' quoting (enough for these tests).</summary>
    private static List<string> SplitArguments(string arguments)
    {
        var result = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        var any = false;
        foreach (var c in arguments)
        {
            if (c == '\'')
            {
                quoted = !quoted;
                any = true;
            }
            else if (c == ' ' && !quoted)
            {
                if (any || current.Length > 0)
                {
                    result.Add(current.ToString());
                }
                current.Clear();
                any = false;
            }
            else
            {
                current.Append(c);
            }
        }
        if (any || current.Length > 0)
        {
            result.Add(current.ToString());
        }
        return result;
    }

    public void Dispose()
    {
        try
        {
            if (_engine is { HasExited: false })
            {
                var ids = Docker("ps -aq").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                if (ids.Length > 0)
                {
                    Docker("rm -f " + string.Join(' ', ids));
                }
            }
        }
        finally
        {
            Stop();
            KillLeftoverShims();
            UnmountUnder(Root);
            Networking.HostNetworkCleanup.RemoveAll(NetworkPrefix);
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
                // Something is still mounted or busy; the next cleanup of /tmp takes it.
            }
            _engine?.Dispose();
        }
    }

    /// <summary>Shims of this engine's containers that outlived a failed test (found by their pid files).</summary>
    private void KillLeftoverShims()
    {
        var bundles = Path.Combine(ExecRoot, "containers");
        if (!Directory.Exists(bundles))
        {
            return;
        }
        foreach (var pidFile in Directory.EnumerateFiles(bundles, "shim.pid", SearchOption.AllDirectories))
        {
            if (int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid) && pid > 1)
            {
                _ = PSContainer.Interop.Linux.Libc.kill(pid, 9);
            }
        }
    }

    private static void UnmountUnder(string root)
    {
        var mounts = File.ReadAllLines("/proc/self/mountinfo")
            .Select(l => l.Split(' ')[4])
            .Where(m => m.StartsWith(root + "/", StringComparison.Ordinal))
            .OrderByDescending(m => m.Length);
        foreach (var mount in mounts)
        {
            _ = PSContainer.Interop.Linux.Libc.umount2(mount, PSContainer.Interop.Linux.Libc.MNT_DETACH);
        }
    }
}

/// <summary>One engine with busybox loaded, shared by the tests of a class.</summary>
public sealed class EngineFixture : IDisposable
{
    public EngineFixture()
    {
        if (TestEnvironment.WhyNotRoot() is not null)
        {
            return;
        }
        Engine = new EngineProcess();
        Engine.Start();
        Engine.DockerOk("load -i " + TestEnvironment.Image("busybox-docker.tar"));
    }

    public EngineProcess? Engine { get; }

    public void Dispose() => Engine?.Dispose();
}
