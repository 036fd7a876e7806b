using PSContainer.Api;
using PSContainer.Engine.Core.Snapshots;
using PSContainer.Engine.Daemon.Spec;
using PSContainer.Engine.Errors;

namespace PSContainer.Engine.Daemon.Containers;

public sealed partial class ContainerService
{
    private static readonly HashSet<string> RestartPolicies = new(StringComparer.Ordinal) { "", "no", "always", "unless-stopped", "on-failure" };

    public async Task<ContainerCreateResponse> CreateAsync(ContainerCreateRequest request, string? name, CancellationToken cancellationToken)
    {
        PSContainer.ShimApi.PscTrace.Step("engine.create.begin");
        if (string.IsNullOrEmpty(request.Image))
        {
            throw EngineException.InvalidParameter("Config.Image is required");
        }
        var image = images.Get(request.Image);
        var host = request.HostConfig ?? new HostConfig();
        ValidateHostConfig(host);

        var id = ContainerNames.NewId();
        var containerName = string.IsNullOrEmpty(name) ? ContainerNames.Generate(store.NameTaken) : ContainerNames.Normalize(name);
        store.ReserveName(containerName, id);
        var snapshotPrepared = false;
        Container? container = null;
        try
        {
            var config = ConfigMerger.Merge(request, image.Config.Config, request.Image);
            var (path, args) = ConfigMerger.Command(config);
            if (string.IsNullOrEmpty(config.Hostname) && host.NetworkMode != "host" && host.NetworkMode?.StartsWith("container:", StringComparison.Ordinal) != true)
            {
                config.Hostname = id[..12]; // inspect shows it, as Docker's does
            }
            host.LogConfig ??= new LogConfig { Type = "json-file", Config = [] };
            host.LogConfig.Type = string.IsNullOrEmpty(host.LogConfig.Type) ? "json-file" : host.LogConfig.Type;
            host.NetworkMode = string.IsNullOrEmpty(host.NetworkMode) || host.NetworkMode == "default" ? "bridge" : host.NetworkMode;
            host.RestartPolicy ??= new RestartPolicy { Name = "no" };
            if (string.IsNullOrEmpty(host.RestartPolicy.Name))
            {
                host.RestartPolicy.Name = "no";
            }

            var record = new ContainerRecord
            {
                Id = id,
                Name = containerName,
                Created = DateTimeOffset.UtcNow,
                ImageId = image.Id.ToString(),
                ImageName = request.Image,
                Config = config,
                HostConfig = host,
                Path = path,
                Args = args,
                SnapshotKey = id,
                Driver = snapshotter.Name,
            };
            container = store.Wrap(record);
            ResolveVolumeMounts(container);

            // Build the spec once now so bad parameters (capabilities, binds, limits) fail the
            // create with 400 instead of the start; the user is resolved for real at start.
            _ = SpecBuilder.Build(record, DryRunInputs(container));
            RegisterNetworking(record, request.NetworkingConfig);

            if (options.PrepareRootfs is { } prepare)
            {
                await prepare(image.Id.ToString(), record.SnapshotKey, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var parent = image.ChainIds.Count > 0 ? image.ChainIds[^1].ToString() : null;
                snapshotter.Prepare(record.SnapshotKey, parent, new Dictionary<string, string> { [SnapshotLabels.GcRoot] = "container " + id });
            }
            snapshotPrepared = true;
            EtcFiles.Write(container, SpecBuilder.Hostname(config, id));
            store.Add(container);
        }
        catch
        {
            Networks?.ForgetContainer(id);
            store.ReleaseName(containerName, id);
            if (container is not null)
            {
                AbandonVolumeMounts(container);
            }
            if (snapshotPrepared)
            {
                TryRemoveSnapshot(id);
            }
            if (container is not null && Directory.Exists(container.StateDirectory))
            {
                Directory.Delete(container.StateDirectory, recursive: true);
            }
            throw;
        }
        Publish(container, "create");
        var warnings = new List<string>();
        if (host.Memory > 0 && !File.Exists("/sys/fs/cgroup/memory/memory.limit_in_bytes") && !File.Exists("/sys/fs/cgroup/memory.max"))
        {
            warnings.Add("Your kernel does not support memory limit capabilities or the cgroup is not mounted. Limitation discarded.");
        }
        PSContainer.ShimApi.PscTrace.Step("engine.create.end", id);
        return new ContainerCreateResponse { Id = id, Warnings = warnings };
    }

    private static void ValidateHostConfig(HostConfig host)
    {
        var policy = host.RestartPolicy?.Name ?? "";
        if (!RestartPolicies.Contains(policy))
        {
            throw EngineException.InvalidParameter($"invalid restart policy: unknown policy '{policy}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'");
        }
        if (host.RestartPolicy is { MaximumRetryCount: > 0 } && policy != "on-failure")
        {
            throw EngineException.InvalidParameter($"invalid restart policy: maximum retry count can only be used with 'on-failure'");
        }
        if (host.RestartPolicy?.MaximumRetryCount < 0)
        {
            throw EngineException.InvalidParameter("invalid restart policy: maximum retry count cannot be negative");
        }
        if (host.AutoRemove && policy is not ("" or "no"))
        {
            throw EngineException.InvalidParameter("Conflicting options: cannot specify both --restart and --rm");
        }
        var logType = host.LogConfig?.Type;
        if (!string.IsNullOrEmpty(logType) && logType is not ("json-file" or "none"))
        {
            throw EngineException.InvalidParameter($"logging driver \"{logType}\" is not supported; use json-file");
        }
        if (host.NetworkMode is { } mode && mode.StartsWith("container:", StringComparison.Ordinal) && mode.Length == "container:".Length)
        {
            throw EngineException.InvalidParameter("invalid network mode: container: needs a container name or id");
        }
    }

    private SpecInputs DryRunInputs(Container container) =>
        new(new ResolvedUser(0, 0, [], null), container.HostnamePath, container.HostsPath, container.ResolvConfPath,
            CgroupsPath(container), NetworkNamespacePath: "/proc/self/ns/net", DefaultSeccomp: null,
            InitPath: options.InitPath ?? "/sbin/docker-init", UserMounts: _volumes.OciMountsForCheck(container.Id));

    private string CgroupsPath(Container container) =>
        string.IsNullOrEmpty(container.Record.HostConfig.CgroupParent)
            ? $"{options.CgroupParent}/{container.Id}"
            : $"{container.Record.HostConfig.CgroupParent.TrimEnd('/')}/{container.Id}";

    private void TryRemoveSnapshot(string key)
    {
        try
        {
            snapshotter.Remove(key);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.SnapshotRemoveFailed(logger, key, e.Message);
        }
    }
}
