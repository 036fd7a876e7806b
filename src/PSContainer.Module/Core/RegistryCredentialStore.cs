using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PSContainer.Module.Core;

/// <summary>
/// Registry credentials in Docker's own config file ($DOCKER_CONFIG/config.json, else
/// ~/.docker/config.json): "auths": { "server": { "auth": base64("user:password") } }, so the
/// docker CLI and this module share logins. Other content of the file is kept as it is; the
/// file is replaced atomically and readable only by its owner.
/// </summary>
public sealed class RegistryCredentialStore
{
    /// <summary>The key Docker uses for Docker Hub.</summary>
    public const string DockerHubKey = "https://index.docker.io/v1/";

    public RegistryCredentialStore(string configPath) => ConfigPath = configPath ?? throw new ArgumentNullException(nameof(configPath));

    public string ConfigPath { get; }

    public static RegistryCredentialStore ForCurrentUser(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var directory = environment("DOCKER_CONFIG") is { Length: > 0 } configured
            ? configured
            : Path.Combine(environment("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker");
        return new RegistryCredentialStore(Path.Combine(directory, "config.json"));
    }

    /// <summary>The registry host of an image reference: docker.io unless the first part looks like a host.</summary>
    public static string RegistryOf(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var slash = reference.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return "docker.io";
        }
        var first = reference[..slash];
        return first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost"
            ? first
            : "docker.io";
    }

    /// <summary>The config key for a server: Docker Hub's historic URL, otherwise the host as given.</summary>
    public static string KeyFor(string server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var host = server.Replace("https://", "", StringComparison.OrdinalIgnoreCase).Replace("http://", "", StringComparison.OrdinalIgnoreCase).TrimEnd('/');
        return host is "docker.io" or "index.docker.io" or "registry-1.docker.io" || host.StartsWith("index.docker.io/", StringComparison.Ordinal)
            ? DockerHubKey
            : host;
    }

    /// <summary>The saved user name and password for a server (null when none, or only an identity token, is saved).</summary>
    public (string Username, string Password)? Find(string server) =>
        Lookup(server).Login is { Username: { Length: > 0 } user, Password: { } password, IdentityToken: null } ? (user, password) : null;

    /// <summary>
    /// What Docker's config file holds for a server: an inline login from "auths" ("auth" =
    /// base64 "user:password", or "identitytoken" with the user name), and the credential helper
    /// the docker CLI would ask instead ("credHelpers" for the server, else "credsStore"), which
    /// this module cannot run; the caller says so when no inline login exists.
    /// </summary>
    public RegistryLookup Lookup(string server)
    {
        var key = KeyFor(server);
        var root = Load();
        var helper = root["credHelpers"] is JsonObject helpers
            ? helpers.Where(p => KeyFor(p.Key) == key).Select(p => StringOf(p.Value)).FirstOrDefault(h => !string.IsNullOrEmpty(h))
            : null;
        helper ??= StringOf(root["credsStore"]) is { Length: > 0 } store ? store : null;
        RegistryLogin? login = null;
        if (root["auths"] is JsonObject auths)
        {
            foreach (var (name, value) in auths)
            {
                if (KeyFor(name) == key && value is JsonObject entry && ParseEntry(entry, name) is { } found)
                {
                    login = found;
                    break;
                }
            }
        }
        return new RegistryLookup(login, helper is null ? null : "docker-credential-" + helper);
    }

    private RegistryLogin? ParseEntry(JsonObject entry, string name)
    {
        string? user = StringOf(entry["username"]);
        string? password = StringOf(entry["password"]);
        if (StringOf(entry["auth"]) is { Length: > 0 } encoded)
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            }
            catch (FormatException e)
            {
                throw new InvalidDataException($"{ConfigPath}: auths.\"{name}\".auth is not base64", e);
            }
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new InvalidDataException($"{ConfigPath}: auths.\"{name}\".auth does not decode to \"user:password\"");
            }
            user = decoded[..colon];
            password = decoded[(colon + 1)..];
        }
        var identityToken = StringOf(entry["identitytoken"]) is { Length: > 0 } token ? token : null;
        if (identityToken is not null)
        {
            return new RegistryLogin(user, null, identityToken); // the token replaces the password, as in the docker CLI
        }
        return string.IsNullOrEmpty(user) ? null : new RegistryLogin(user, password ?? "", null);
    }

    /// <summary>
    /// The X-Registry-Auth payload for a pull or push from a lookup, and a warning when the login
    /// lives in a credential helper this module cannot use (then the request goes without credentials).
    /// </summary>
    public static (Api.AuthConfig? Auth, string? Warning) ToAuthConfig(RegistryLookup lookup, string registry)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        if (lookup.Login is { } login)
        {
            return (new Api.AuthConfig
            {
                Username = login.Username,
                Password = login.IdentityToken is null ? login.Password : null,
                IdentityToken = login.IdentityToken,
                ServerAddress = registry,
            }, null);
        }
        return lookup.Helper is { } helper
            ? (null, $"The credentials for {registry} are kept by the credential helper {helper} (Docker's config file), which PSContainer does not support; " +
                "continuing without credentials. Use -Credential, or Connect-ContainerRegistry to save them in the file.")
            : (null, null);
    }

    private static string? StringOf(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>
    /// Saves a login for a server: "auth" = base64("user:password"), or, when the registry
    /// answered the login with an identity token, "auth" = base64("user:") and "identitytoken" (the docker CLI's format).
    /// </summary>
    public void Save(string server, string username, string password, string? identityToken = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(username);
        ArgumentNullException.ThrowIfNull(password);
        if (username.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The user name '{username}' cannot contain ':'.");
        }
        var root = Load();
        var auths = root["auths"] as JsonObject ?? new JsonObject();
        root["auths"] = auths;
        var entry = new JsonObject
        {
            ["auth"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(username + ":" + (string.IsNullOrEmpty(identityToken) ? password : ""))),
        };
        if (!string.IsNullOrEmpty(identityToken))
        {
            entry["identitytoken"] = identityToken;
        }
        auths[KeyFor(server)] = entry;
        Write(root);
    }

    /// <summary>Forgets a server's credentials; false when there were none.</summary>
    public bool Remove(string server)
    {
        var root = Load();
        if (root["auths"] is not JsonObject auths)
        {
            return false;
        }
        var key = KeyFor(server);
        var names = auths.Select(p => p.Key).Where(name => KeyFor(name) == key).ToList();
        foreach (var name in names)
        {
            auths.Remove(name);
        }
        if (names.Count > 0)
        {
            Write(root);
        }
        return names.Count > 0;
    }

    private JsonObject Load()
    {
        if (!File.Exists(ConfigPath))
        {
            return new JsonObject();
        }
        try
        {
            return JsonNode.Parse(File.ReadAllText(ConfigPath)) as JsonObject
                ?? throw new InvalidDataException($"{ConfigPath} does not hold a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{ConfigPath} is not valid JSON: {e.Message}", e);
        }
    }

    private void Write(JsonObject root)
    {
        var directory = Path.GetDirectoryName(ConfigPath)!;
        Directory.CreateDirectory(directory);
        var temporary = ConfigPath + ".tmp-" + Environment.ProcessId;
        var options = new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        using (var stream = new FileStream(temporary, options))
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            root.WriteTo(writer);
        }
        File.Move(temporary, ConfigPath, overwrite: true);
    }
}

/// <summary>A login read from Docker's config file: user and password, or user and identity token.</summary>
public sealed record RegistryLogin(string? Username, string? Password, string? IdentityToken);

/// <summary>What the config file says about a registry: an inline login, and the credential helper the docker CLI would use.</summary>
public sealed record RegistryLookup(RegistryLogin? Login, string? Helper);
