using System.Text.Json.Serialization;

namespace PSContainer.Engine.Core.Distribution;

/// <summary>A token endpoint's answer: "token" (or the OAuth "access_token") and its lifetime.</summary>
internal sealed class TokenResponse
{
    [JsonPropertyName("token")] public string? Token { get; set; }

    [JsonPropertyName("access_token")] public string? AccessToken { get; set; }

    [JsonPropertyName("expires_in")] public int? ExpiresIn { get; set; }
}

/// <summary>The distribution spec's error body: {"errors":[{"code":"…","message":"…","detail":…}]}.</summary>
internal sealed class RegistryErrorBody
{
    [JsonPropertyName("errors")] public List<RegistryErrorEntry>? Errors { get; set; }
}

internal sealed class RegistryErrorEntry
{
    [JsonPropertyName("code")] public string? Code { get; set; }

    [JsonPropertyName("message")] public string? Message { get; set; }
}

[JsonSerializable(typeof(RegistryCredentials))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(RegistryErrorBody))]
internal sealed partial class DistributionJsonContext : JsonSerializerContext
{
}
