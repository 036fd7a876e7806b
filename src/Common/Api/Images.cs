namespace PSContainer.Api;

/// <summary>One row of GET /images/json.</summary>
public sealed class ImageSummary
{
    public string Id { get; set; } = "";
    public string ParentId { get; set; } = "";
    public List<string> RepoTags { get; set; } = [];
    public List<string> RepoDigests { get; set; } = [];
    /// <summary>Unix seconds.</summary>
    public long Created { get; set; }
    public long Size { get; set; }
    public long SharedSize { get; set; } = -1;
    public long? VirtualSize { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
    public long Containers { get; set; } = -1;
}

/// <summary>GET /images/{name}/json.</summary>
public sealed class ImageInspect
{
    public string Id { get; set; } = "";
    public List<string> RepoTags { get; set; } = [];
    public List<string> RepoDigests { get; set; } = [];
    public string Parent { get; set; } = "";
    public string Comment { get; set; } = "";
    /// <summary>RFC 3339.</summary>
    public string? Created { get; set; }
    public string? DockerVersion { get; set; }
    public string? Author { get; set; }
    public ContainerConfig? Config { get; set; }
    public string? Architecture { get; set; }
    public string? Variant { get; set; }
    public string? Os { get; set; }
    public string? OsVersion { get; set; }
    public long Size { get; set; }
    public long? VirtualSize { get; set; }
    public GraphDriverData? GraphDriver { get; set; }
    public RootFS? RootFS { get; set; }
    public ImageMetadata? Metadata { get; set; }
}

public sealed class RootFS
{
    public string Type { get; set; } = "layers";
    public List<string> Layers { get; set; } = [];
}

public sealed class ImageMetadata
{
    public string? LastTagTime { get; set; }
}

/// <summary>One row of GET /images/{name}/history.</summary>
public sealed class ImageHistoryItem
{
    /// <summary>The image id for the top entry, "&lt;missing&gt;" for others.</summary>
    public string Id { get; set; } = "<missing>";
    public long Created { get; set; }
    public string CreatedBy { get; set; } = "";
    public List<string> Tags { get; set; } = [];
    public long Size { get; set; }
    public string Comment { get; set; } = "";
}

/// <summary>One row of DELETE /images/{name}: exactly one of the two is set.</summary>
public sealed class ImageDeleteItem
{
    public string? Untagged { get; set; }
    public string? Deleted { get; set; }
}

/// <summary>POST /images/prune.</summary>
public sealed class ImagePruneResponse
{
    public List<ImageDeleteItem>? ImagesDeleted { get; set; }
    public long SpaceReclaimed { get; set; }
}

/// <summary>POST /commit and other endpoints that answer with only an id.</summary>
public sealed class IdResponse
{
    public string Id { get; set; } = "";
}

/// <summary>
/// One JSON line of a pull, push, load or import progress stream. A line with Error set ends the
/// stream unsuccessfully (the HTTP status is already 200 by then).
/// </summary>
public sealed class ProgressMessage
{
    [System.Text.Json.Serialization.JsonPropertyName("stream")]
    public string? Stream { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("status")]
    public string? Status { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("progress")]
    public string? Progress { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("progressDetail")]
    public ProgressDetail? ProgressDetail { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("id")]
    public string? Id { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("error")]
    public string? Error { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("errorDetail")]
    public ErrorDetail? ErrorDetail { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("aux")]
    public System.Text.Json.JsonElement? Aux { get; set; }
}

public sealed class ProgressDetail
{
    [System.Text.Json.Serialization.JsonPropertyName("current")]
    public long? Current { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("total")]
    public long? Total { get; set; }
}

public sealed class ErrorDetail
{
    [System.Text.Json.Serialization.JsonPropertyName("code")]
    public int? Code { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("message")]
    public string? Message { get; set; }
}

/// <summary>The registry credentials sent base64url-encoded in X-Registry-Auth, and the body of POST /auth.</summary>
public sealed class AuthConfig
{
    [System.Text.Json.Serialization.JsonPropertyName("username")]
    public string? Username { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("password")]
    public string? Password { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("auth")]
    public string? Auth { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("email")]
    public string? Email { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("serveraddress")]
    public string? ServerAddress { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("identitytoken")]
    public string? IdentityToken { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("registrytoken")]
    public string? RegistryToken { get; set; }
}

/// <summary>POST /auth answer.</summary>
public sealed class AuthResponse
{
    public string Status { get; set; } = "";
    public string? IdentityToken { get; set; }
}
