using System.Text.Json.Serialization;

namespace PSContainer.ShimApi;

/// <summary>Source-generated JSON for every message of the shim protocol (no reflection at run time).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ShimRequest))]
[JsonSerializable(typeof(ShimResponse))]
[JsonSerializable(typeof(ShimEvent))]
[JsonSerializable(typeof(ShimEventAck))]
[JsonSerializable(typeof(ShimExitRecord))]
[JsonSerializable(typeof(ExitResult))]
public sealed partial class ShimJsonContext : JsonSerializerContext;
