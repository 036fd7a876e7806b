using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using PSContainer.Engine.Api;
using PSContainer.Engine.Api.Endpoints;
using PSContainer.Engine.Api.Http;
using PSContainer.Engine.Core;
using PSContainer.Engine.Core.Events;
using PSContainer.Engine.Core.Tasks;
using PSContainer.Engine.Daemon;
using PSContainer.Engine.Daemon.Cgroups;
using PSContainer.Engine.Daemon.Containers;
using PSContainer.Engine.Daemon.Images;
using PSContainer.Engine.Daemon.Networks;
using PSContainer.Engine.Core.Networking.Firewall;
using PSContainer.Engine.Core.Networking.Ipam;
using PSContainer.Engine.Core.Networking.Ports;
using PSContainer.Engine.Daemon.Spec;
using PSContainer.Engine.Daemon.Volumes;
using PSContainer.Engine.Core.Volumes;
using PSContainer.Interop.Linux;

namespace PSContainer.Engine;

/// <summary>
/// The composition root: opens the core over the data root, the shim manager over the exec root,
/// the daemon services, recovers containers from an earlier run, and serves the API socket.
/// </summary>
public sealed class EngineHost : IAsyncDisposable
{
    private readonly ILoggerFactory _loggers;
    private readonly ShimManager _shims;
    private readonly HttpServer _server;
    private readonly ILogger _logger;

    private EngineHost(EngineOptions options, ILoggerFactory loggers, ShimManager shims, HttpServer server, ContainerService containers)
    {
        Options = options;
        _loggers = loggers;
        _shims = shims;
        _server = server;
        Containers = containers;
        _logger = loggers.CreateLogger("psc-engine");
    }

    public EngineOptions Options { get; }

    public ContainerService Containers { get; }

    /// <summary>Checks the environment, opens every service, recovers containers and binds the socket.</summary>
    public static async Task<EngineHost> StartAsync(EngineOptions options, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger("psc-engine");
        if (Libc.geteuid() != 0)
        {
            throw new EngineStartupException("psc-engine needs root (it mounts file systems and creates namespaces and cgroups)");
        }
        var socketPath = options.SocketPath;
        EnsureSocketFree(socketPath);

        var binDir = AppContext.BaseDirectory;
        var shimPath = options.ShimPath ?? Path.Combine(binDir, "psc-shim");
        var runtimePath = options.Runtime ?? Path.Combine(binDir, "psc-runc");
        foreach (var (what, path) in new[] { ("psc-shim", shimPath), ("OCI runtime", runtimePath) })
        {
            if (!File.Exists(path))
            {
                throw new EngineStartupException($"{what} not found at {path} (use --shim/--runtime)");
            }
        }

        Directory.CreateDirectory(options.DataRoot);
        Directory.CreateDirectory(options.ExecRoot);
        var core = CoreServices.Open(new CoreOptions
        {
            DataRoot = options.DataRoot,
            Registry = new Core.Distribution.RegistryOptions { InsecureRegistries = options.InsecureRegistries, CertsDirectory = options.RegistryCertsDirectory },
        });
        if (core.SnapshotterFallbackReason is { } reason)
        {
            logger.LogWarning("overlayfs is not usable ({Reason}); using the copying snapshotter", reason);
        }
        var events = new EventExchange();
        var shims = new ShimManager(new ShimManagerOptions(
            shimPath, runtimePath,
            RuntimeRoot: Path.Combine(options.ExecRoot, "runtime"),
            SocketDirectory: Path.Combine(options.ExecRoot, "s"),
            EventsSocketPath: Path.Combine(options.ExecRoot, "events.sock")));
        var records = core.Metadata.Collection("containers", DaemonJsonContext.Default.ContainerRecord);
        var store = new ContainerStore(records, Path.Combine(options.DataRoot, "containers"), Path.Combine(options.ExecRoot, "containers"));
        var networks = new NetworkService(
            core.Metadata.Collection("networks", NetworksJsonContext.Default.NetworkRecord),
            core.Metadata.Collection("container-networks", NetworksJsonContext.Default.ContainerNetworkingRecord),
            new NetworkServiceOptions(Path.Combine(options.ExecRoot, "netns"), new NetworkNaming(options.NetworkPrefix),
                new IptablesCommand(IptablesCommand.Find() ?? "iptables"), new ProxyPortPublisher(), () => HostRoutes.Read()),
            events, loggers.CreateLogger<NetworkService>());
        networks.Initialize();
        var volumes = new VolumeService(new LocalVolumeStore(Path.Combine(options.DataRoot, "volumes")), events, loggers.CreateLogger<VolumeService>());
        var containers = new ContainerService(store, core.Images, core.Snapshotter, shims, events,
            new ContainerServiceOptions(
                VolumesRoot: Path.Combine(options.DataRoot, "volumes"),
                InitPath: InitBinary.Find(),
                DefaultSeccomp: PSContainer.Oci.Profiles.DefaultSeccompProfile.Create,
                PrepareRootfs: (image, id, ct) => core.Rootfs.PrepareAsync(image, id, ct),
                Volumes: volumes,
                Networks: networks),
            loggers.CreateLogger<ContainerService>());
        var images = new ImageService(core.Images, core.Archives, core.Snapshotter, core.Gc, store, events);
        var system = new SystemService(containers, core.Images, core.Snapshotter, options, runtimePath, EngineId(options.DataRoot));

        shims.ListenForEvents(containers.OnShimEventAsync);
        await containers.RecoverAsync(cancellationToken).ConfigureAwait(false);

        var router = new Router();
        new SystemEndpoints(system, events).Map(router);
        new ContainerEndpoints(containers).Map(router);
        new ExecEndpoints(containers).Map(router);
        new ContainerInspectionEndpoints(containers).Map(router);
        new ArchiveEndpoints(containers).Map(router);
        new CommitEndpoints(new CommitService(containers, core.Committer, events)).Map(router);
        new VolumeEndpoints(volumes).Map(router);
        new NetworkEndpoints(networks, containers).Map(router);
        var imageEndpoints = new ImageEndpoints(images);
        new DistributionEndpoints(core.Distribution, events, imageEndpoints).Map(router); // before the image routes: it answers /images/create?fromImage=
        imageEndpoints.Map(router);
        var dispatcher = new ApiDispatcher(router, loggers.CreateLogger<ApiDispatcher>());
        var server = new HttpServer(dispatcher.DispatchAsync, loggers.CreateLogger<HttpServer>());
        Directory.CreateDirectory(Path.GetDirectoryName(socketPath)!);
        server.Listen(socketPath);
        SecureSocket(socketPath, options.SocketGroup, logger);
        logger.LogInformation("psc-engine {Version} serving API {Api} on {Socket} (data {DataRoot}, exec {ExecRoot}, runtime {Runtime}, snapshotter {Snapshotter})",
            SystemService.EngineVersion, ApiVersion.Current, socketPath, options.DataRoot, options.ExecRoot, runtimePath, core.Snapshotter.Name);
        return new EngineHost(options, loggers, shims, server, containers);
    }

    public Task RunAsync(CancellationToken cancellationToken) => _server.RunAsync(cancellationToken);

    /// <summary>
    /// A socket file whose listener answers belongs to a live engine: refuse to start. A file that
    /// nobody listens on is left from a crash: remove it.
    /// </summary>
    private static void EnsureSocketFree(string socketPath)
    {
        if (!File.Exists(socketPath) && !Path.Exists(socketPath))
        {
            return;
        }
        using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        try
        {
            probe.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint(socketPath));
            throw new EngineStartupException($"{socketPath} is in use by a running engine; stop it first or choose another --host");
        }
        catch (System.Net.Sockets.SocketException)
        {
            File.Delete(socketPath);
        }
    }

    /// <summary>Mode 0660, group "pscontainer" when that group exists (root only otherwise).</summary>
    private static void SecureSocket(string socketPath, string group, ILogger logger)
    {
        File.SetUnixFileMode(socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
        var gid = GroupId(group);
        if (gid is null)
        {
            logger.LogDebug("group {Group} does not exist; the socket stays root-only", group);
            return;
        }
        Libc.Check(Libc.fchownat(Libc.AT_FDCWD, socketPath, uint.MaxValue, gid.Value, 0), "chown", socketPath);
    }

    private static uint? GroupId(string group)
    {
        if (!File.Exists("/etc/group"))
        {
            return null;
        }
        foreach (var line in File.ReadLines("/etc/group"))
        {
            var fields = line.Split(':');
            if (fields.Length >= 3 && fields[0] == group && uint.TryParse(fields[2], System.Globalization.CultureInfo.InvariantCulture, out var gid))
            {
                return gid;
            }
        }
        return null;
    }

    /// <summary>A stable engine id, kept in the data root (docker info's ID).</summary>
    private static string EngineId(string dataRoot)
    {
        var path = Path.Combine(dataRoot, "engine-id");
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }
        var id = Guid.NewGuid().ToString();
        File.WriteAllText(path, id);
        return id;
    }

    public async ValueTask DisposeAsync()
    {
        // Remove the socket file while still listening: a new engine can then only bind after
        // this one is done with the path, and this one never deletes the new one's socket.
        try
        {
            File.Delete(Options.SocketPath);
        }
        catch (IOException e)
        {
            _logger.LogDebug("removing {Socket}: {Error}", Options.SocketPath, e.Message);
        }
        await _server.DisposeAsync().ConfigureAwait(false);
        // The shims and their containers keep running: that is the point of them.
        await _shims.DisposeAsync().ConfigureAwait(false);
        // Their parent cgroups stay while they hold anything; empty ones go with the engine. With
        // no task left, what is still inside is exiting: give it up to 2 s.
        var patience = Containers.Store.All().Any(c => c.Record.State.HasTask) ? TimeSpan.Zero : TimeSpan.FromSeconds(2);
        await ParentCgroupCleanup.RemoveEmptyAsync("/sys/fs/cgroup", [Containers.CgroupParent, ParentCgroupCleanup.ShimParent], patience,
            (path, error) => _logger.LogWarning("removing the empty cgroup {Path}: {Error}", path, error)).ConfigureAwait(false);
        _loggers.Dispose();
    }
}

/// <summary>A condition that keeps the engine from starting, with a message for the operator.</summary>
public sealed class EngineStartupException(string message) : Exception(message);
