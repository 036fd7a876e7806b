using System.Text.Json.Serialization;

namespace PSContainer.Engine.Daemon.Volumes;

/// <summary>
/// One resolved mount of a container (Docker's MountPoint), fixed at create and kept in
/// &lt;container state dir&gt;/mounts.json: which volume (anonymous ones get their generated
/// name here) or host path, where, how, and whether the image's content still has to be copied in.
/// </summary>
public sealed class MountPointRecord
{
    /// <summary>bind, volume or tmpfs.</summary>
    public string Type { get; set; } = "";

    /// <summary>The volume's name (volumes only).</summary>
    public string? Name { get; set; }

    /// <summary>The host path of a bind; empty for volumes (their mountpoint comes from the store) and tmpfs.</summary>
    public string Source { get; set; } = "";

    public string Destination { get; set; } = "";

    public string Driver { get; set; } = "";

    /// <summary>As Docker shows it: the -v mode string ("ro", "z", "rw,rshared"), else "".</summary>
    public string Mode { get; set; } = "";

    public bool RW { get; set; } = true;

    public string Propagation { get; set; } = "";

    /// <summary>Copy the image's content at Destination into the (empty) volume at the next start; cleared once done.</summary>
    public bool CopyData { get; set; }

    /// <summary>A named volume (the user gave its name); anonymous volumes are what `rm -v` removes.</summary>
    public bool Named { get; set; }

    /// <summary>A -v bind: a missing host directory is created at start.</summary>
    public bool CreateHostPath { get; set; }

    /// <summary>Bind without MS_REC (bind-nonrecursive).</summary>
    public bool NonRecursive { get; set; }

    public List<string>? TmpfsOptions { get; set; }

    /// <summary>From --tmpfs (HostConfig.Tmpfs): mounted, but not listed in inspect's Mounts, as in Docker.</summary>
    public bool HiddenFromInspect { get; set; }

    /// <summary>Came from another container through --volumes-from.</summary>
    public string? FromContainer { get; set; }
}

/// <summary>A container's mounts.json.</summary>
public sealed class ContainerMountsRecord
{
    public List<MountPointRecord> Mounts { get; set; } = [];
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ContainerMountsRecord))]
internal sealed partial class VolumeJsonContext : JsonSerializerContext
{
}
