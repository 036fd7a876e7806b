using System.Text.Json;
using System.Text.Json.Serialization;

namespace PSContainer.Oci;

// The "linux" section of config.json (config-linux.md). linux.resources and linux.seccomp are in
// RuntimeSpec.Resources.cs and RuntimeSpec.Seccomp.cs.

/// <summary><c>linux</c>.</summary>
public sealed class Linux
{
    [JsonPropertyName("namespaces")] public List<LinuxNamespace>? Namespaces { get; set; }
    [JsonPropertyName("uidMappings")] public List<LinuxIdMapping>? UidMappings { get; set; }
    [JsonPropertyName("gidMappings")] public List<LinuxIdMapping>? GidMappings { get; set; }
    [JsonPropertyName("timeOffsets")] public Dictionary<string, LinuxTimeOffset>? TimeOffsets { get; set; }
    [JsonPropertyName("devices")] public List<LinuxDevice>? Devices { get; set; }
    [JsonPropertyName("cgroupsPath")] public string? CgroupsPath { get; set; }
    [JsonPropertyName("resources")] public LinuxResources? Resources { get; set; }
    [JsonPropertyName("rootfsPropagation")] public string? RootfsPropagation { get; set; }
    [JsonPropertyName("seccomp")] public LinuxSeccomp? Seccomp { get; set; }
    [JsonPropertyName("sysctl")] public Dictionary<string, string>? Sysctl { get; set; }
    [JsonPropertyName("maskedPaths")] public List<string>? MaskedPaths { get; set; }
    [JsonPropertyName("readonlyPaths")] public List<string>? ReadonlyPaths { get; set; }
    [JsonPropertyName("mountLabel")] public string? MountLabel { get; set; }
    [JsonPropertyName("personality")] public LinuxPersonality? Personality { get; set; }
    /// <summary>Intel RDT (resctrl) is not supported: kept only to say so when it is set.</summary>
    [JsonPropertyName("intelRdt")] public JsonElement? IntelRdt { get; set; }
}

/// <summary>A namespace to create (no path) or join (path).</summary>
public sealed class LinuxNamespace
{
    /// <summary>pid, network, mount, ipc, uts, user, cgroup or time.</summary>
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("path")] public string? Path { get; set; }
}

/// <summary>A uid or gid range mapping.</summary>
public sealed class LinuxIdMapping
{
    [JsonPropertyName("containerID")] public uint ContainerID { get; set; }
    [JsonPropertyName("hostID")] public uint HostID { get; set; }
    [JsonPropertyName("size")] public uint Size { get; set; }
}

/// <summary>An offset of the time namespace for "monotonic" or "boottime".</summary>
public sealed class LinuxTimeOffset
{
    [JsonPropertyName("secs")] public long? Secs { get; set; }
    [JsonPropertyName("nanosecs")] public uint? Nanosecs { get; set; }
}

/// <summary>A device node to create in the container.</summary>
public sealed class LinuxDevice
{
    [JsonPropertyName("path")] public string Path { get; set; } = "";
    /// <summary>c, u, b or p.</summary>
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("major")] public long Major { get; set; }
    [JsonPropertyName("minor")] public long Minor { get; set; }
    [JsonPropertyName("fileMode")] public uint? FileMode { get; set; }
    [JsonPropertyName("uid")] public uint? Uid { get; set; }
    [JsonPropertyName("gid")] public uint? Gid { get; set; }
}

/// <summary><c>linux.personality</c>.</summary>
public sealed class LinuxPersonality
{
    /// <summary>LINUX or LINUX32.</summary>
    [JsonPropertyName("domain")] public string Domain { get; set; } = "";
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }
}
