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

    public (string Username, string Password)? Find(string server)
    {
        var key = KeyFor(server);
        var root = Load();
        if (root["auths"] is not JsonObject auths)
        {
            return null;
        }
        foreach (var (name, value) in auths)
        {
            if (KeyFor(name) != key || value?["auth"]?.GetValue<string>() is not { Length: > 0 } encoded)
            {
                continue;
            }
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                return (decoded[..colon], decoded[(colon + 1)..]);
            }
        }
        return null;
    }

    public void Save(string server, string username, string password)
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
        auths[KeyFor(server)] = new JsonObject { ["auth"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(username + ":" + password)) };
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
