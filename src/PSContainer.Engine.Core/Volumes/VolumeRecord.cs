using System.Text.Json.Serialization;

namespace PSContainer.Engine.Core.Volumes;

/// <summary>What the local driver keeps about one volume, in &lt;volumes&gt;/&lt;name&gt;/volume.json.</summary>
public sealed class VolumeRecord
{
    public string Name { get; set; } = "";

    public string Driver { get; set; } = LocalVolumeStore.DriverName;

    public DateTimeOffset CreatedAt { get; set; }

    public Dictionary<string, string> Labels { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Driver options as given (type, device, o), validated at create.</summary>
    public Dictionary<string, string> Options { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Made for one container (image VOLUME, `-v /path`): `rm -v` and a default prune remove it.</summary>
    public bool Anonymous { get; set; }
}

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(VolumeRecord))]
internal sealed partial class VolumeJsonContext : JsonSerializerContext
{
}
