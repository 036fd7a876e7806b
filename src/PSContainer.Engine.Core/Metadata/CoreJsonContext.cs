using System.Text.Json.Serialization;
using PSContainer.Engine.Core.Content;

namespace PSContainer.Engine.Core.Metadata;

/// <summary>Source-generated JSON for the core's own records.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = false)]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(IngestStatusRecord))]
internal sealed partial class CoreJsonContext : JsonSerializerContext
{
}
