using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using PSContainer.ShimApi;
using PSContainer.TestSupport;

namespace PSContainer.Shim.IntegrationTests;

/// <summary>
/// One container for one test: a busybox bundle (umoci unpack of the test image) in a temporary
/// directory with its own runtime root and shim socket directory, and the shim started for it.
/// Dispose removes everything it made, also when the test failed: the shim (Shutdown, then
/// SIGKILL by its pid file), the container (runtime delete --force), the directory.
/// </summary>
internal sealed class ShimTestContainer : IAsyncDisposable
{
    private ShimTestContainer(string directory, string id)
    {
        Directory = directory;
        Id = id;
    }

    public string Directory { get; }

    public string Id { get; }

    public string Bundle => Path.Combine(Directory, "bundle");

    public string RuntimeRoot => Path.Combine(Directory, "runtime");

    public string SocketDirectory => Path.Combine(Directory, "s");

    public string LogPath => Path.Combine(Bundle, ShimPaths.ContainerLogFile);

    public string? Address { get; private set; }

    /// <summary>The OCI runtime the shim drives: Debian's runc, or psc-runc when PSC_SHIM_TEST_RUNTIME=psc-runc.</summary>
    public static string Runtime =>
        Environment.GetEnvironmentVariable("PSC_SHIM_TEST_RUNTIME") == "psc-runc"
            ? Path.Combine(Environment.GetEnvironmentVariable("PSC_BIN") ?? TestEnvironment.BinDir, "psc-runc")
            : "/usr/sbin/runc";

    /// <summary>psc-shim from PSC_BIN when built there, else the one built next to this test assembly.</summary>
    public static string ShimPath
    {
        get
        {
            var bin = Environment.GetEnvironmentVariable("PSC_BIN");
            return bin is not null && File.Exists(Path.Combine(bin, "psc-shim"))
                ? Path.Combine(bin, "psc-shim")
                : Path.Combine(AppContext.BaseDirectory, "psc-shim");
        }
    }

    public ShimStartOptions StartOptions(string? eventsAddress = null, long? logMaxSize = null, int? logMaxFiles = null) =>
        new(ShimPath, Id, Bundle, eventsAddress, Runtime, RuntimeRoot, logMaxSize, logMaxFiles, SocketDirectory);

    /// <summary>Unpacks busybox and sets the process: its args, terminal, and a cgroup of its own.</summary>
    public static async Task<ShimTestContainer> CreateBundleAsync(string[] args, bool terminal = false, bool pidNamespace = true, long? memoryLimit = null)
    {
        var id = "psc-shim-" + Guid.NewGuid().ToString("N")[..12];
        var directory = Path.Combine(Path.GetTempPath(), id);
        System.IO.Directory.CreateDirectory(directory);
        var container = new ShimTestContainer(directory, id);
        try
        {
            var image = TestEnvironment.Image("busybox-oci");
            var (code, output) = await RunAsync("umoci", "unpack", "--image", image + ":latest", container.Bundle);
            if (code != 0)
            {
                throw new InvalidOperationException($"umoci unpack {image} failed: {output}");
            }
            var configPath = Path.Combine(container.Bundle, "config.json");
            var config = JsonNode.Parse(await File.ReadAllTextAsync(configPath))!.AsObject();
            var process = config["process"]!.AsObject();
            process["args"] = new JsonArray(args.Select(a => (JsonNode)JsonValue.Create(a)!).ToArray());
            process["terminal"] = terminal;
            var linux = config["linux"]!.AsObject();
            linux["cgroupsPath"] = "/" + id;
            if (memoryLimit is { } limit)
            {
                var resources = linux["resources"] as JsonObject ?? [];
                linux["resources"] = resources;
                resources["memory"] = new JsonObject { ["limit"] = limit };
            }
            if (!pidNamespace)
            {
                // Without its own pid namespace the container's init is an ordinary process: SIGTERM
                // without a handler kills it, and its orphans are reparented to the shim (subreaper).
                var namespaces = linux["namespaces"]!.AsArray();
                foreach (var ns in namespaces.Where(n => n!["type"]!.GetValue<string>() == "pid").ToList())
                {
                    namespaces.Remove(ns);
                }
            }
            await File.WriteAllTextAsync(configPath, config.ToJsonString());
            return container;
        }
        catch
        {
            await container.DisposeAsync();
            throw;
        }
    }

    /// <summary>Bundle, shim started, container created (and started unless told not to).</summary>
    public static async Task<(ShimTestContainer Container, ShimClient Client)> RunAsync(string[] args, bool terminal = false,
        bool openStdin = false, bool start = true, long? logMaxSize = null, int? logMaxFiles = null, bool pidNamespace = true)
    {
        var container = await CreateBundleAsync(args, terminal, pidNamespace);
        try
        {
            var client = await container.StartShimAsync(logMaxSize: logMaxSize, logMaxFiles: logMaxFiles);
            await client.CreateAsync(new CreateRequest(container.Id, terminal, openStdin));
            if (start)
            {
                await client.StartAsync();
            }
            return (container, client);
        }
        catch
        {
            await container.DisposeAsync();
            throw;
        }
    }

    /// <summary>Listens on this container's events socket and keeps every shim event.</summary>
    public RecordedEvents RecordEvents() => new(Path.Combine(Directory, "events.sock"));

    public async Task<ShimClient> StartShimAsync(string? eventsAddress = null, long? logMaxSize = null, int? logMaxFiles = null)
    {
        Address = await ShimLauncher.StartAsync(StartOptions(eventsAddress, logMaxSize, logMaxFiles));
        return await ConnectAsync();
    }

    /// <summary>Starts the server the way the engine does (no `psc-shim start` in between).</summary>
    public async Task<ShimClient> StartShimDirectlyAsync()
    {
        Address = await ShimServerLauncher.StartAsync(StartOptions());
        return await ConnectAsync();
    }

    /// <summary>Makes <paramref name="spare"/> this container's shim.</summary>
    public async Task<ShimClient> BindSpareAsync(SpareShim spare)
    {
        Address = await spare.BindAsync(Id, Bundle, null, null);
        return await ConnectAsync();
    }

    public Task<ShimClient> ConnectAsync() =>
        ShimClient.ConnectAsync(Address ?? throw new InvalidOperationException("the shim is not started"), Id);

    /// <summary>The shim server's pid, from the file it keeps in the bundle.</summary>
    public int ShimPid => int.Parse(File.ReadAllText(Path.Combine(Bundle, ShimPaths.ShimPidFile)), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The log entries (all rotated files, oldest first).</summary>
    public List<LogEntry> ReadLog(string? path = null)
    {
        path ??= LogPath;
        var files = System.IO.Directory.GetFiles(Path.GetDirectoryName(path)!, Path.GetFileName(path) + ".*")
            .Where(f => int.TryParse(Path.GetExtension(f).TrimStart('.'), out _))
            .OrderByDescending(f => int.Parse(Path.GetExtension(f).TrimStart('.'), System.Globalization.CultureInfo.InvariantCulture))
            .Append(path);
        var entries = new List<LogEntry>();
        foreach (var file in files.Where(File.Exists))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                var json = JsonDocument.Parse(line).RootElement;
                entries.Add(new LogEntry(json.GetProperty("log").GetString()!, json.GetProperty("stream").GetString()!,
                    json.GetProperty("time").GetString()!));
            }
        }
        return entries;
    }

    /// <summary>Joined output of one stream as the log holds it.</summary>
    public string LogText(string stream = "stdout") => string.Concat(ReadLog().Where(e => e.Stream == stream).Select(e => e.Log));

    public async ValueTask DisposeAsync()
    {
        if (Address is not null)
        {
            try
            {
                await using var client = await ShimClient.ConnectAsync(Address, Id, TimeSpan.FromSeconds(5));
                await client.ShutdownAsync(now: true);
            }
#pragma warning disable CA1031 // cleanup goes on whatever state the shim is in
            catch (Exception)
            {
            }
        }
        try
        {
            var pid = ShimPid;
            using var shim = Process.GetProcessById(pid);
            if (shim.ProcessName.StartsWith("psc-shim", StringComparison.Ordinal) || shim.ProcessName == "dotnet")
            {
                shim.Kill();
            }
        }
        catch (Exception)
        {
        }
#pragma warning restore CA1031
        await RunAsync("/usr/sbin/runc", "--root", RuntimeRoot, "delete", "--force", Id);
        if (Runtime != "/usr/sbin/runc")
        {
            await RunAsync(Runtime, "--root", RuntimeRoot, "delete", "--force", Id);
        }
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public static async Task<(int Code, string Output)> RunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}

/// <summary>A shim event listener on the container's events socket that keeps every event it
/// receives; readers lock <see cref="Received"/>.</summary>
internal sealed class RecordedEvents : IAsyncDisposable
{
    private readonly ShimEventListener _listener;

    public RecordedEvents(string socket)
    {
        Socket = socket;
        _listener = ShimEventListener.Start(socket, (e, _) =>
        {
            lock (Received)
            {
                Received.Add(e);
            }
            return ValueTask.CompletedTask;
        });
    }

    public string Socket { get; }
    public List<ShimEvent> Received { get; } = [];

    public ValueTask DisposeAsync() => _listener.DisposeAsync();
}

internal sealed record LogEntry(string Log, string Stream, string Time);
