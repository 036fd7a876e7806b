using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using PSContainer.Engine.Core.Errdefs;

namespace PSContainer.Engine.Core.Distribution;

/// <summary>
/// Docker's AuthConfig: what <c>docker login</c> stores and what the CLI sends base64url-encoded
/// in <c>X-Registry-Auth</c>. A username and password, or an identity token (an OAuth refresh
/// token), or a registry token to send as it is.
/// </summary>
public sealed class RegistryCredentials
{
    [JsonPropertyName("username")] public string? Username { get; set; }

    [JsonPropertyName("password")] public string? Password { get; set; }

    [JsonPropertyName("auth")] public string? Auth { get; set; }

    [JsonPropertyName("serveraddress")] public string? ServerAddress { get; set; }

    [JsonPropertyName("identitytoken")] public string? IdentityToken { get; set; }

    [JsonPropertyName("registrytoken")] public string? RegistryToken { get; set; }

    /// <summary>True when there is anything to authenticate with.</summary>
    [JsonIgnore]
    public bool HasSecret => !string.IsNullOrEmpty(Username) || !string.IsNullOrEmpty(IdentityToken) || !string.IsNullOrEmpty(RegistryToken);

    /// <summary>
    /// Decodes an <c>X-Registry-Auth</c> header (base64url or base64 of the JSON AuthConfig); null
    /// for an empty header or "{}". A legacy "auth" field ("user:password" in base64) fills in
    /// username and password when those are absent.
    /// </summary>
    public static RegistryCredentials? FromRegistryAuthHeader(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }
        byte[] json;
        try
        {
            json = DecodeBase64Url(header.Trim());
        }
        catch (FormatException e)
        {
            throw CoreException.InvalidArgument("X-Registry-Auth: the value is not base64url-encoded JSON", e);
        }
        RegistryCredentials? credentials;
        try
        {
            credentials = JsonSerializer.Deserialize(json, DistributionJsonContext.Default.RegistryCredentials);
        }
        catch (JsonException e)
        {
            throw CoreException.InvalidArgument($"X-Registry-Auth: invalid JSON ({e.Message})", e);
        }
        if (credentials is null)
        {
            return null;
        }
        if (string.IsNullOrEmpty(credentials.Username) && !string.IsNullOrEmpty(credentials.Auth))
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(credentials.Auth));
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                throw CoreException.InvalidArgument("X-Registry-Auth: the \"auth\" field is not base64 of user:password");
            }
            credentials.Username = pair[..colon];
            credentials.Password = pair[(colon + 1)..];
        }
        return credentials.HasSecret ? credentials : null;
    }

    internal static byte[] DecodeBase64Url(string value)
    {
        var standard = value.Replace('-', '+').Replace('_', '/');
        standard = standard.PadRight(standard.Length + ((4 - (standard.Length % 4)) % 4), '=');
        return Convert.FromBase64String(standard);
    }
}
