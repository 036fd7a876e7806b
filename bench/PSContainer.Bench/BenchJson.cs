using System.Text.Json.Serialization;

namespace PSContainer.Bench;

/// <summary>Source-generated JSON for the few values written with JsonSerializer.</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class BenchJson : JsonSerializerContext;
