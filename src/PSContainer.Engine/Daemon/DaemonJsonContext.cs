using System.Text.Json.Serialization;
using PSContainer.Engine.Daemon.Containers;

namespace PSContainer.Engine.Daemon;

/// <summary>Source-generated JSON for the daemon's persisted records.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = false)]
[JsonSerializable(typeof(ContainerRecord))]
internal sealed partial class DaemonJsonContext : JsonSerializerContext
{
}
