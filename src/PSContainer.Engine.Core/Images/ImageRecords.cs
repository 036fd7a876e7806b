using System.Text.Json.Serialization;
using PSContainer.Oci;

namespace PSContainer.Engine.Core.Images;

/// <summary>The persisted image (collection "images", keyed by id).</summary>
public sealed class ImageRecord
{
    public Digest Id { get; set; }
    public Descriptor Target { get; set; } = new();
    public Descriptor? Index { get; set; }
    public DateTimeOffset LoadedAt { get; set; }
}

/// <summary>One name pointing at an image (collection "references", keyed by the normalised reference).</summary>
public sealed class ReferenceRecord
{
    public string Reference { get; set; } = "";
    public Digest ImageId { get; set; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ImageRecord))]
[JsonSerializable(typeof(ReferenceRecord))]
internal sealed partial class ImageRecordJsonContext : JsonSerializerContext
{
}
