using System.Text.Json.Serialization;

namespace PSContainer.Engine.Core.Snapshots;

[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
[JsonSerializable(typeof(SnapshotRecord))]
internal sealed partial class SnapshotJsonContext : JsonSerializerContext
{
}
