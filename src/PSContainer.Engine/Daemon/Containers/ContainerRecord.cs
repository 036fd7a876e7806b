using PSContainer.Api;

namespace PSContainer.Engine.Daemon.Containers;

/// <summary>
/// What the engine persists about a container (one record per container in the metadata store).
/// The runtime facts (pid, exit) are written as they change, so an engine restarted after a crash
/// knows what it last saw and asks the shim for the rest.
/// </summary>
public sealed class ContainerRecord
{
    public string Id { get; set; } = "";

    /// <summary>Without the leading slash.</summary>
    public string Name { get; set; } = "";

    public DateTimeOffset Created { get; set; }

    /// <summary>The image id (sha256:...), and the reference the client asked for.</summary>
    public string ImageId { get; set; } = "";

    public string ImageName { get; set; } = "";

    /// <summary>The merged config (image defaults applied), as inspect shows it.</summary>
    public ContainerConfig Config { get; set; } = new();

    public HostConfig HostConfig { get; set; } = new();

    public string Path { get; set; } = "";

    public List<string> Args { get; set; } = [];

    /// <summary>The snapshot holding the container's writable layer.</summary>
    public string SnapshotKey { get; set; } = "";

    public string Driver { get; set; } = "";

    public ContainerStateRecord State { get; set; } = new();

    public int RestartCount { get; set; }

    /// <summary>Stopped by the user (docker stop/kill): "unless-stopped" and "always" do not restart it at engine start.</summary>
    public bool StoppedByUser { get; set; }
}

public sealed class ContainerStateRecord
{
    /// <summary>created, running, paused, restarting, removing, exited or dead.</summary>
    public string Status { get; set; } = "created";

    public int Pid { get; set; }

    public int ExitCode { get; set; }

    public string Error { get; set; } = "";

    public bool OomKilled { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>Set while a shim owns the container (between start and the cleanup after its exit).</summary>
    public bool HasTask { get; set; }

    /// <summary>The socket of the shim that owns the task (as `psc-shim start` printed it), for reconnecting.</summary>
    public string? ShimSocket { get; set; }

    public Health? Health { get; set; }
}
