using System.Collections.Concurrent;
using System.Text.Json;
using PSContainer.Api;
using PSContainer.Engine.Api.Http;
using PSContainer.Engine.Daemon.Exec;
using PSContainer.Engine.Daemon.Spec;
using PSContainer.Engine.Daemon.Streams;
using PSContainer.Engine.Errors;
using PSContainer.Oci;
using PSContainer.ShimApi;

namespace PSContainer.Engine.Daemon.Containers;

public sealed partial class ContainerService
{
    private readonly ConcurrentDictionary<string, ExecInstance> _execs = new(StringComparer.Ordinal);

    public ExecCreateResponse CreateExec(string idOrName, ExecCreateRequest request)
    {
        var container = store.Get(idOrName);
        if (container.Record.State.Status != "running")
        {
            throw EngineException.Conflict(container.Record.State.Status == "paused"
                ? $"Container {container.Id} is paused, unpause the container before exec"
                : $"container {container.Id} is not running");
        }
        if (request.Cmd is not { Count: > 0 } || request.Cmd[0].Length == 0)
        {
            throw EngineException.InvalidParameter("No exec command specified");
        }
        _ = ParseDetachKeys(request.DetachKeys);
        var exec = new ExecInstance(ContainerNames.NewId(), container.Id, request);
        lock (container.Execs)
        {
            container.Execs[exec.Id] = exec;
        }
        _execs[exec.Id] = exec;
        Publish(container, "exec_create: " + string.Join(' ', request.Cmd), new Dictionary<string, string> { ["execID"] = exec.Id });
        return new ExecCreateResponse { Id = exec.Id };
    }

    public ExecInstance GetExec(string execId) =>
        _execs.TryGetValue(execId, out var exec) ? exec : throw EngineException.NoSuchExec(execId);

    public ExecInspect InspectExec(string execId)
    {
        var exec = GetExec(execId);
        var cmd = exec.Config.Cmd ?? [];
        return new ExecInspect
        {
            ID = exec.Id,
            ContainerID = exec.ContainerId,
            Running = exec.Running,
            ExitCode = exec.ExitCode,
            Pid = exec.Pid,
            OpenStdin = exec.Config.AttachStdin,
            OpenStdout = exec.Config.AttachStdout,
            OpenStderr = exec.Config.AttachStderr,
            CanRemove = false,
            DetachKeys = exec.Config.DetachKeys ?? "",
            ProcessConfig = new ExecProcessConfig
            {
                Entrypoint = cmd.Count > 0 ? cmd[0] : "",
                Arguments = cmd.Count > 1 ? cmd[1..] : [],
                Privileged = exec.Config.Privileged,
                Tty = exec.Config.Tty,
                User = exec.Config.User,
            },
        };
    }

    /// <summary>
    /// Starts an exec. Attached (connection non-null): the output streams over the hijacked
    /// connection until the process exits. Detached: returns once it runs.
    /// </summary>
    public async Task StartExecAsync(string execId, bool detach, HijackedConnection? connection, CancellationToken cancellationToken, byte[]? detachKeys = null)
    {
        var exec = GetExec(execId);
        var container = store.Get(exec.ContainerId);
        lock (exec)
        {
            if (exec.Started)
            {
                throw EngineException.Conflict($"Error: Exec command {execId} has already run");
            }
            exec.Started = true;
        }
        if (container.Record.State.Status != "running")
        {
            throw EngineException.Conflict($"container {container.Id} is not running");
        }
        var client = Client(container);
        var config = exec.Config;
        var process = ExecProcess(container, config);
        var stdin = config.AttachStdin && connection is not null;
        await client.ExecAsync(exec.Id, JsonSerializer.SerializeToElement(process, OciJsonContext.Default.OciProcess), config.Tty, stdin, cancellationToken).ConfigureAwait(false);

        ShimAttachSession? session = null;
        if (!detach && connection is not null)
        {
            session = await client.AttachAsync(new AttachRequest(container.Id, exec.Id, stdin, config.AttachStdout, config.AttachStderr), cancellationToken).ConfigureAwait(false);
        }
        try
        {
            exec.Pid = await client.StartAsync(exec.Id, cancellationToken).ConfigureAwait(false);
            exec.Running = true;
        }
        catch
        {
            if (session is not null)
            {
                await session.DisposeAsync().ConfigureAwait(false);
            }
            exec.SetExit(126);
            throw;
        }
        Publish(container, "exec_start: " + string.Join(' ', config.Cmd ?? []), new Dictionary<string, string> { ["execID"] = exec.Id });

        if (session is null)
        {
            _ = Task.Run(() => WaitExecAsync(container, client, exec), CancellationToken.None);
            return;
        }
        await using (session.ConfigureAwait(false))
        {
            var options = new AttachOptions(stdin, config.AttachStdout, config.AttachStderr, config.Tty, CloseStdinOnEof: true, detachKeys);
            var outcome = await AttachBridge.RunAsync(session, connection!, options, cancellationToken).ConfigureAwait(false);
            if (outcome.Exit is { } exit)
            {
                OnExecExit(container, exec.Id, exit.ExitCode);
            }
            else
            {
                if (outcome.Detached)
                {
                    Publish(container, "exec_detach", new Dictionary<string, string> { ["execID"] = exec.Id });
                }
                _ = Task.Run(() => WaitExecAsync(container, client, exec), CancellationToken.None);
            }
        }
    }

    private async Task WaitExecAsync(Container container, ShimClient client, ExecInstance exec)
    {
        try
        {
            var exit = await client.WaitAsync(exec.Id, container.Lifetime.Token).ConfigureAwait(false);
            OnExecExit(container, exec.Id, exit.ExitCode);
        }
        catch (Exception e) when (e is OperationCanceledException or ShimException or IOException or System.Net.Sockets.SocketException or ShimProtocolException)
        {
            exec.SetExit(exec.ExitCode ?? 137);
        }
    }

    private void OnExecExit(Container container, string execId, int exitCode)
    {
        if (!_execs.TryGetValue(execId, out var exec) || exec.ExitCode is not null)
        {
            return;
        }
        exec.SetExit(exitCode);
        Publish(container, "exec_die", new Dictionary<string, string>
        {
            ["execID"] = execId,
            ["exitCode"] = exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var client = tasks.Get(container.Id);
        if (client is not null)
        {
            // The shim keeps an exec's record until it is deleted; the engine has what it needs now.
            _ = Task.Run(async () =>
            {
                try
                {
                    await client.DeleteAsync(execId).ConfigureAwait(false);
                }
                catch (Exception e) when (e is ShimException or IOException or System.Net.Sockets.SocketException or TimeoutException or ShimProtocolException)
                {
                    Log.ExecFailed(logger, container.Id, execId, "delete: " + e.Message);
                }
            });
        }
    }

    private void CancelExecs(Container container)
    {
        List<ExecInstance> execs;
        lock (container.Execs)
        {
            execs = [.. container.Execs.Values];
            container.Execs.Clear();
        }
        foreach (var exec in execs)
        {
            exec.SetExit(exec.ExitCode ?? 137);
            _execs.TryRemove(exec.Id, out _);
        }
    }

    public async Task ResizeExecAsync(string execId, ushort height, ushort width, CancellationToken cancellationToken)
    {
        var exec = GetExec(execId);
        var container = store.Get(exec.ContainerId);
        await Client(container).ResizePtyAsync(width, height, exec.Id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The exec's OCI process: the container's process (capabilities, rlimits, ...) with the exec's command, env, cwd and user.</summary>
    private OciProcess ExecProcess(Container container, ExecCreateRequest config)
    {
        var bundleConfig = Path.Combine(container.BundleDirectory, "config.json");
        var spec = JsonSerializer.Deserialize(File.ReadAllBytes(bundleConfig), OciJsonContext.Default.Spec)
            ?? throw EngineException.Internal($"{bundleConfig} is empty");
        var process = spec.Process ?? new OciProcess();
        var userSpec = string.IsNullOrEmpty(config.User) ? container.Record.Config.User : config.User;
        var user = UserResolver.Resolve(userSpec, container.RootfsDirectory, container.Record.HostConfig.GroupAdd);
        process.Args = [.. config.Cmd!];
        process.Terminal = config.Tty;
        process.Env = ConfigMerger.MergeEnv(process.Env, config.Env);
        if (config.Tty && !process.Env.Any(e => e.StartsWith("TERM=", StringComparison.Ordinal)))
        {
            process.Env.Add("TERM=xterm");
        }
        process.Cwd = string.IsNullOrEmpty(config.WorkingDir) ? process.Cwd : config.WorkingDir;
        process.User = new User { Uid = user.Uid, Gid = user.Gid, AdditionalGids = user.AdditionalGids.Count > 0 ? [.. user.AdditionalGids] : null };
        if (config.Privileged)
        {
            process.Capabilities = new LinuxCapabilities
            {
                Bounding = [.. DockerDefaults.AllCapabilities],
                Effective = [.. DockerDefaults.AllCapabilities],
                Permitted = [.. DockerDefaults.AllCapabilities],
            };
        }
        else if (process.Capabilities is { } caps && user.Uid != 0)
        {
            caps.Effective = [];
            caps.Permitted = [];
        }
        else if (process.Capabilities is { } rootCaps && user.Uid == 0 && rootCaps.Bounding is not null)
        {
            rootCaps.Effective = [.. rootCaps.Bounding];
            rootCaps.Permitted = [.. rootCaps.Bounding];
        }
        process.ConsoleSize = config.ConsoleSize is [var h, var w] ? new Box { Height = h, Width = w } : null;
        return process;
    }
}
