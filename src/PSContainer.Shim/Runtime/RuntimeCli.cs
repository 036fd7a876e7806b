using System.Globalization;
using System.Text;
using System.Text.Json;
using PSContainer.Shim.Processes;

namespace PSContainer.Shim.Runtime;

/// <summary>
/// Drives an OCI runtime through runc's command-line contract. Errors come from the runtime's
/// JSON log (global --log/--log-format json, like containerd), because for create and exec the
/// runtime's stderr is the container's stderr and belongs in the container log.
/// </summary>
internal sealed class RuntimeCli(string runtimePath, string? root, string logPath, Reaper reaper) : IOciRuntime
{
    public string RuntimePath { get; } = runtimePath;

    public string Name => RuntimePath;

    public Task CreateAsync(string id, string bundle, string pidFile, string? consoleSocket, RuntimeStdio stdio)
    {
        var args = new List<string> { "create", "--bundle", bundle, "--pid-file", pidFile };
        if (consoleSocket is not null)
        {
            args.AddRange(["--console-socket", consoleSocket]);
        }
        args.Add(id);
        return RunAsync(args, stdio);
    }

    public Task StartAsync(string id) => RunAsync(["start", id]);

    public Task KillAsync(string id, int signal, bool all) =>
        RunAsync(all ? ["kill", "--all", id, Num(signal)] : ["kill", id, Num(signal)]);

    public Task DeleteAsync(string id, bool force) => RunAsync(force ? ["delete", "--force", id] : ["delete", id]);

    public Task ExecAsync(string id, string processFile, string pidFile, string? consoleSocket, RuntimeStdio stdio)
    {
        var args = new List<string> { "exec", "--process", processFile, "--detach", "--pid-file", pidFile };
        if (consoleSocket is not null)
        {
            args.AddRange(["--tty", "--console-socket", consoleSocket]);
        }
        args.Add(id);
        return RunAsync(args, stdio);
    }

    public Task PauseAsync(string id) => RunAsync(["pause", id]);

    public Task ResumeAsync(string id) => RunAsync(["resume", id]);

    public Task UpdateAsync(string id, string resourcesFile) => RunAsync(["update", "--resources", resourcesFile, id]);

    /// <summary>`ps --format json`: the pids in the container's cgroup.</summary>
    public async Task<int[]> PidsAsync(string id)
    {
        var output = await RunAsync(["ps", "--format", "json", id]).ConfigureAwait(false);
        return JsonSerializer.Deserialize(output, RuntimeJsonContext.Default.Int32Array) ?? [];
    }

    /// <summary>`events --stats`: one JSON object; returns its "data" member.</summary>
    public async Task<JsonElement> StatsAsync(string id)
    {
        var output = await RunAsync(["events", "--stats", id]).ConfigureAwait(false);
        using var document = JsonDocument.Parse(output);
        return document.RootElement.TryGetProperty("data", out var data)
            ? data.Clone()
            : throw new RuntimeException($"{RuntimePath} events --stats {id}", 0, $"no \"data\" in its output: {output.Trim()}");
    }

    /// <summary>Runs the runtime; returns its stdout when stdio is not given (captured), else "".</summary>
    private async Task<string> RunAsync(IReadOnlyList<string> command, RuntimeStdio? stdio = null)
    {
        var args = new List<string>();
        if (root is not null)
        {
            args.AddRange(["--root", root]);
        }
        args.AddRange(["--log", logPath, "--log-format", "json"]);
        args.AddRange(command);
        var operation = $"{RuntimePath} {string.Join(' ', command)}";
        var logOffset = File.Exists(logPath) ? new FileInfo(logPath).Length : 0;

        FileDescriptor? devNull = null, outRead = null, outWrite = null, errRead = null, errWrite = null;
        try
        {
            Task<string>? stdout = null, stderr = null;
            if (stdio is null)
            {
                devNull = FileDescriptor.DevNull();
                (outRead, outWrite) = FileDescriptor.Pipe();
                (errRead, errWrite) = FileDescriptor.Pipe();
                stdio = new RuntimeStdio(devNull.Fd, outWrite.Fd, errWrite.Fd);
            }
            var pid = Spawner.Spawn(new SpawnRequest(RuntimePath, args, stdio.Stdin, stdio.Stdout, stdio.Stderr), reaper);
            var exited = reaper.WaitAsync(pid);
            if (outRead is not null && errRead is not null)
            {
                outWrite!.Dispose();
                errWrite!.Dispose();
                var o = outRead;
                var e = errRead;
                stdout = Task.Run(() => ReadAll(o));
                stderr = Task.Run(() => ReadAll(e));
            }
            var status = await exited.ConfigureAwait(false);
            var output = stdout is null ? "" : await stdout.ConfigureAwait(false);
            var errors = stderr is null ? "" : await stderr.ConfigureAwait(false);
            var code = PSContainer.Interop.Linux.Libc.ExitCodeFromWaitStatus(status);
            if (code != 0)
            {
                var message = ErrorFromLog(logOffset) ?? (errors.Trim().Length > 0 ? errors.Trim() : $"exit status {code}");
                throw new RuntimeException(operation, code, message);
            }
            return output;
        }
        finally
        {
            devNull?.Dispose();
            outRead?.Dispose();
            outWrite?.Dispose();
            errRead?.Dispose();
            errWrite?.Dispose();
        }
    }

    private static string ReadAll(FileDescriptor fd)
    {
        var result = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int n;
        while ((n = fd.Read(buffer)) > 0)
        {
            result.Write(buffer, 0, n);
        }
        return Encoding.UTF8.GetString(result.GetBuffer(), 0, (int)result.Length);
    }

    /// <summary>The "msg" of error-level lines the runtime logged since <paramref name="offset"/>.</summary>
    private string? ErrorFromLog(long offset)
    {
        try
        {
            using var file = new FileStream(logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            file.Seek(Math.Min(offset, file.Length), SeekOrigin.Begin);
            using var reader = new StreamReader(file);
            var messages = new List<string>();
            while (reader.ReadLine() is { } line)
            {
                try
                {
                    using var entry = JsonDocument.Parse(line);
                    if (entry.RootElement.TryGetProperty("level", out var level) && level.GetString() is "error" or "fatal"
                        && entry.RootElement.TryGetProperty("msg", out var msg))
                    {
                        messages.Add(msg.GetString() ?? "");
                    }
                }
                catch (JsonException)
                {
                    messages.Add(line);
                }
            }
            return messages.Count == 0 ? null : string.Join("; ", messages);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    private static string Num(int value) => value.ToString(CultureInfo.InvariantCulture);
}
