using System.Globalization;
using System.Text.Json;
using PSContainer.Engine.Daemon.Spec;
using PSContainer.Engine.Daemon.Streams;
using PSContainer.Engine.Errors;
using PSContainer.Oci;
using PSContainer.ShimApi;

namespace PSContainer.Engine.Daemon.Containers;

public sealed partial class ContainerService
{
    public async Task StartAsync(string idOrName, CancellationToken cancellationToken)
    {
        var container = store.Get(idOrName);
        await container.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        var held = true;
        try
        {
            if (container.Record.State.Status == "paused")
            {
                throw EngineException.Conflict("cannot start a paused container, try unpause instead");
            }
            if (container.Record.State.HasTask)
            {
                throw EngineException.NotModified($"container {container.Id} is already running");
            }
            if (container.Record.State.Status == "removing")
            {
                throw EngineException.Conflict($"container is marked for removal and cannot be started");
            }
            container.Record.StoppedByUser = false;
            await StartLockedAsync(container, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not EngineException { Kind: EngineErrorKind.NotModified or EngineErrorKind.Conflict } && container.Record.HostConfig.AutoRemove)
        {
            // docker run --rm waits for the removal even when the start failed: remove it, as dockerd does.
            container.Gate.Release();
            held = false;
            try
            {
                await RemoveAsync(container.Id, force: true, removeVolumes: true, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception remove) when (remove is not OutOfMemoryException)
            {
                Log.AutoRemoveFailed(logger, container.Id, remove.Message);
            }
            throw;
        }
        finally
        {
            if (held)
            {
                container.Gate.Release();
            }
        }
    }

    /// <summary>Mounts the rootfs, writes the bundle, starts the shim, creates and starts the task. Holds the gate.</summary>
    private async Task StartLockedAsync(Container container, CancellationToken cancellationToken)
    {
        PscTrace.Step("engine.start.begin", container.Id);
        var record = container.Record;
        var host = record.HostConfig;
        ShimClient? client = null;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            RootfsMounter.UnmountAndRemoveBundle(container.BundleDirectory); // leftovers of a crash
            Directory.CreateDirectory(container.BundleDirectory);
            RootfsMounter.Mount(snapshotter.Mounts(record.SnapshotKey), container.BundleDirectory);
            var networkNamespace = await SetUpNetworkingAsync(container).ConfigureAwait(false);
            EtcFiles.Write(container, host.NetworkMode == "host" ? Environment.MachineName : SpecBuilder.Hostname(record.Config, record.Id), network: EtcNetworkOf(container));

            EnsureWorkingDirectory(container);
            var user = UserResolver.Resolve(record.Config.User, container.RootfsDirectory, host.GroupAdd);
            var spec = SpecBuilder.Build(record, new SpecInputs(
                user, container.HostnamePath, container.HostsPath, container.ResolvConfPath, CgroupsPath(container),
                NetworkNamespacePath: networkNamespace,
                DefaultSeccomp: options.DefaultSeccomp,
                InitPath: options.InitPath,
                UserMounts: PrepareVolumeMounts(container),
                HostHostname: Environment.MachineName));
            await File.WriteAllBytesAsync(Path.Combine(container.BundleDirectory, "config.json"),
                JsonSerializer.SerializeToUtf8Bytes(spec, OciJsonContext.Default.Spec), cancellationToken).ConfigureAwait(false);

            var prepared = watch.Elapsed;
            var (maxSize, maxFiles) = LogRotation(host);
            client = await tasks.StartAsync(container.Id, container.BundleDirectory, maxSize, maxFiles, cancellationToken).ConfigureAwait(false);
            var shimStarted = watch.Elapsed;
            var logPath = host.LogConfig?.Type == "none" ? "/dev/null" : container.LogPath;
            await client.CreateAsync(new CreateRequest(container.Id, record.Config.Tty, record.Config.OpenStdin, logPath, maxSize, maxFiles), cancellationToken).ConfigureAwait(false);
            record.State.HasTask = true;
            record.State.ShimSocket = client.SocketPath;
            // Persist before starting: from here on an engine crash must find and reconnect to this shim.
            store.Save(container);
            var created = watch.Elapsed;

            // Attaches made before start (docker run, docker start -a) join now, before any output exists.
            List<PendingAttach> pending;
            lock (container.PendingAttaches)
            {
                pending = [.. container.PendingAttaches];
                container.PendingAttaches.Clear();
            }
            foreach (var attach in pending)
            {
                await ConnectAttachAsync(container, client, attach, cancellationToken).ConfigureAwait(false);
            }

            var pid = await client.StartAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            Log.StartTimings(logger, container.Id, prepared.TotalMilliseconds, (shimStarted - prepared).TotalMilliseconds,
                (created - shimStarted).TotalMilliseconds, (watch.Elapsed - created).TotalMilliseconds);
            record.State.Status = "running";
            record.State.Pid = pid;
            record.State.StartedAt = DateTimeOffset.UtcNow;
            record.State.ExitCode = 0;
            record.State.Error = "";
            record.State.OomKilled = false;
            record.State.FinishedAt = null;
            if (container.EffectiveHealthcheck is not null)
            {
                record.State.Health = new global::PSContainer.Api.Health { Status = "starting" };
            }
            store.Save(container);
        }
        catch (Exception e)
        {
            await FailStartAsync(container, client, e).ConfigureAwait(false);
            throw StartError(e);
        }
        PscTrace.Step("engine.start.end", container.Id);
        Publish(container, "start");
        WatchExit(container, client);
        StartHealthcheck(container);
    }

    /// <summary>Cleans up after a start that failed part way and records why, as Docker does.</summary>
    private async Task FailStartAsync(Container container, ShimClient? client, Exception error)
    {
        var record = container.Record;
        if (client is not null)
        {
            await ShutdownShimAsync(container, client).ConfigureAwait(false);
        }
        else
        {
            await tasks.ForgetAsync(container.Id).ConfigureAwait(false);
        }
        try
        {
            RootfsMounter.UnmountAndRemoveBundle(container.BundleDirectory);
        }
        catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
        {
            Log.CleanupFailed(logger, container.Id, cleanup.Message);
        }
        ReleaseVolumeMounts(container);
        await TearDownNetworkingAsync(container).ConfigureAwait(false);
        var (kind, message) = ErrorMapping.Classify(error);
        _ = kind;
        record.State.HasTask = false;
        record.State.Status = record.State.StartedAt is null ? "created" : "exited";
        record.State.Pid = 0;
        record.State.Error = message;
        record.State.ExitCode = message.Contains("not found", StringComparison.OrdinalIgnoreCase) || message.Contains("no such file", StringComparison.OrdinalIgnoreCase) ? 127
            : message.Contains("permission denied", StringComparison.OrdinalIgnoreCase) ? 126 : 128;
        try
        {
            store.Save(container);
        }
        catch (Exception save) when (save is IOException or UnauthorizedAccessException)
        {
            Log.CleanupFailed(logger, container.Id, save.Message);
        }
        CompletePendingAttaches(container);
        container.SignalExit(new ExitStatus(record.State.ExitCode, message));
    }

    private static Exception StartError(Exception e) => e switch
    {
        EngineException => e,
        ShimException shim when shim.Code == ShimErrorCode.RuntimeError =>
            EngineException.Internal($"failed to create task for container: {shim.Message}", shim),
        _ => e,
    };

    private static (long? MaxSize, int? MaxFiles) LogRotation(global::PSContainer.Api.HostConfig host)
    {
        var config = host.LogConfig?.Config ?? [];
        long? maxSize = config.TryGetValue("max-size", out var size) ? ParseSize(size) : null;
        int? maxFiles = config.TryGetValue("max-file", out var files)
            ? int.TryParse(files, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 ? n
                : throw EngineException.InvalidParameter($"invalid value for log option max-file: {files}")
            : null;
        return (maxSize, maxFiles);
    }

    /// <summary>"10m", "1g", "512k", "100" (bytes) → bytes.</summary>
    public static long ParseSize(string text)
    {
        var trimmed = text.Trim().ToLowerInvariant();
        var unit = 1L;
        var suffix = trimmed.TrimStart("0123456789.".ToCharArray());
        var number = trimmed[..^suffix.Length];
        unit = suffix switch
        {
            "" or "b" => 1,
            "k" or "kb" or "kib" => 1024,
            "m" or "mb" or "mib" => 1024 * 1024,
            "g" or "gb" or "gib" => 1024L * 1024 * 1024,
            _ => throw EngineException.InvalidParameter($"invalid size: '{text}'"),
        };
        return double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? (long)(value * unit)
            : throw EngineException.InvalidParameter($"invalid size: '{text}'");
    }
}
