using PSContainer.Api;
using PSContainer.Engine.Daemon.Networks;
using PSContainer.Engine.Errors;

namespace PSContainer.Engine.Daemon.Containers;

/// <summary>
/// The container life-cycle hooks of networking: attachments recorded at create, the network
/// namespace and endpoints made before the task starts and removed after it exits, ports and DNS
/// restored after an engine restart, connect/disconnect (also hot-plug into a running container),
/// and inspect's NetworkSettings. The work itself is in <see cref="NetworkService"/>.
/// </summary>
public sealed partial class ContainerService
{
    private NetworkService? Networks => options.Networks;

    /// <summary>At create: checks and records the networks the container joins.</summary>
    private void RegisterNetworking(ContainerRecord record, NetworkingConfig? networking) =>
        Networks?.RegisterContainer(record.Id, record.Name, record.HostConfig.NetworkMode ?? "bridge", networking);

    /// <summary>
    /// Before the task starts: the network namespace for the OCI spec. host: none (the host's);
    /// container:X: X's; bridge, none and user networks: a namespace of our own with the endpoints
    /// wired. Without a network service (unit tests), the runtime makes a namespace with lo only.
    /// </summary>
    private async Task<string?> SetUpNetworkingAsync(Container container)
    {
        var record = container.Record;
        var mode = record.HostConfig.NetworkMode ?? "bridge";
        if (mode == "host")
        {
            return null;
        }
        if (mode.StartsWith("container:", StringComparison.Ordinal))
        {
            var other = store.Get(mode["container:".Length..]);
            if (other.Record.State.Status != "running" || other.Record.State.Pid == 0)
            {
                throw EngineException.Conflict($"cannot join network namespace of a non running container: {other.Id}");
            }
            return Networks?.NamespaceOf(other.Id) ?? $"/proc/{other.Record.State.Pid}/ns/net";
        }
        if (Networks is null)
        {
            return null;
        }
        return await Networks.SetUpAsync(record.Id, record.Name, mode, record.HostConfig, ExposedPorts(record), record.HostConfig.Dns).ConfigureAwait(false);
    }

    /// <summary>After the task is gone (exit, failed start): endpoints, ports, DNS and namespace go; addresses are released.</summary>
    private async Task TearDownNetworkingAsync(Container container)
    {
        if (Networks is null)
        {
            return;
        }
        try
        {
            await Networks.TearDownAsync(container.Id).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or Core.Networking.Firewall.FirewallException)
        {
            Log.CleanupFailed(logger, container.Id, "networking: " + e.Message);
        }
    }

    /// <summary>Engine restart, container still running: its ports and DNS server come back.</summary>
    private Task RestoreNetworkingAsync(Container container) =>
        Networks?.RestoreAsync(container.Id, container.Record.HostConfig.Dns) ?? Task.CompletedTask;

    /// <summary>The container's addresses for /etc/hosts and whether it resolves through the embedded DNS server.</summary>
    private EtcNetwork EtcNetworkOf(Container container)
    {
        if (Networks is null)
        {
            return new EtcNetwork([], false);
        }
        var (addresses, userDefined) = Networks.AddressesOf(container.Id);
        return new EtcNetwork(addresses, userDefined && options.Networks is not null);
    }

    /// <summary>POST /networks/{id}/connect.</summary>
    public async Task ConnectNetworkAsync(string networkIdOrName, string containerIdOrName, EndpointSettings? settings, CancellationToken cancellationToken)
    {
        var networks = Networks ?? throw EngineException.NotImplemented("networking is not configured in this engine");
        var container = store.Get(containerIdOrName);
        await container.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var record = container.Record;
            await networks.ConnectAsync(record.Id, record.Name, record.HostConfig.NetworkMode ?? "bridge", networkIdOrName, settings,
                record.State.HasTask, record.HostConfig.Dns).ConfigureAwait(false);
        }
        finally
        {
            container.Gate.Release();
        }
    }

    /// <summary>POST /networks/{id}/disconnect.</summary>
    public async Task DisconnectNetworkAsync(string networkIdOrName, string containerIdOrName, CancellationToken cancellationToken)
    {
        var networks = Networks ?? throw EngineException.NotImplemented("networking is not configured in this engine");
        var container = store.Get(containerIdOrName);
        await container.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            networks.Disconnect(container.Id, networkIdOrName);
        }
        finally
        {
            container.Gate.Release();
        }
    }

    /// <summary>Inspect's NetworkSettings (a placeholder entry per mode when no network service runs).</summary>
    private NetworkSettings NetworkSettingsFor(ContainerRecord record)
    {
        var mode = record.HostConfig.NetworkMode ?? "bridge";
        if (Networks is { } networks)
        {
            return networks.SettingsOf(record.Id, mode, ExposedPorts(record));
        }
        return new NetworkSettings
        {
            Bridge = "",
            SandboxID = "",
            SandboxKey = "",
            Ports = [],
            Networks = new Dictionary<string, EndpointSettings>
            {
                [mode.StartsWith("container:", StringComparison.Ordinal) ? "container" : mode] = new EndpointSettings(),
            },
        };
    }

    /// <summary>The Ports column of docker ps.</summary>
    private List<Port> SummaryPortsFor(ContainerRecord record) =>
        Networks?.SummaryPorts(record.Id, ExposedPorts(record)) ?? [];

    private static IReadOnlyCollection<string> ExposedPorts(ContainerRecord record) =>
        record.Config.ExposedPorts?.Keys is { } keys ? [.. keys] : [];
}
