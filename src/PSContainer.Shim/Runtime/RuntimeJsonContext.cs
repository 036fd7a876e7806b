using System.Text.Json.Serialization;

namespace PSContainer.Shim.Runtime;

[JsonSerializable(typeof(int[]))]
internal sealed partial class RuntimeJsonContext : JsonSerializerContext;
