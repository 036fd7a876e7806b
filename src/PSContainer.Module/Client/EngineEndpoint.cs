namespace PSContainer.Module.Client;

/// <summary>How the client reaches an engine.</summary>
public enum EngineTransport
{
    Unix,
    Tcp,
}

/// <summary>
/// An engine address: <c>unix:///run/pscontainer/engine.sock</c> (or a bare absolute socket path),
/// or <c>tcp://host:port</c> / <c>http://host:port</c>. Resolution order, the same on every cmdlet:
/// the -Endpoint parameter, then $env:PSCONTAINER_HOST, then $env:DOCKER_HOST, then the default socket.
/// </summary>
public sealed record EngineEndpoint(EngineTransport Transport, string Address, string Source)
{
    public const string DefaultSocket = "/run/pscontainer/engine.sock";
    public const string PSContainerHostVariable = "PSCONTAINER_HOST";
    public const string DockerHostVariable = "DOCKER_HOST";

    /// <summary>The socket path of a Unix endpoint.</summary>
    public string SocketPath => Transport == EngineTransport.Unix
        ? Address
        : throw new InvalidOperationException($"{this} is not a Unix socket endpoint");

    public override string ToString() => Transport == EngineTransport.Unix ? "unix://" + Address : "tcp://" + Address;

    /// <summary>Picks the endpoint: an explicit value wins, then the environment, then the default socket.</summary>
    public static EngineEndpoint Resolve(string? explicitValue, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!string.IsNullOrWhiteSpace(explicitValue))
        {
            return Parse(explicitValue, "the -Endpoint parameter");
        }
        foreach (var variable in new[] { PSContainerHostVariable, DockerHostVariable })
        {
            var value = environment(variable);
            if (!string.IsNullOrWhiteSpace(value))
            {
                return Parse(value, "$env:" + variable);
            }
        }
        return new EngineEndpoint(EngineTransport.Unix, DefaultSocket, "the default socket");
    }

    /// <summary>Parses one address; <paramref name="source"/> names where it came from for error messages.</summary>
    public static EngineEndpoint Parse(string value, string source = "the endpoint")
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = value.Trim();
        if (text.StartsWith('/'))
        {
            return new EngineEndpoint(EngineTransport.Unix, text, source);
        }
        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            throw new ArgumentException(
                $"Engine endpoint '{value}' from {source} is not valid: use unix:///path/to/engine.sock or tcp://host:port.",
                nameof(value));
        }
        var scheme = text[..schemeEnd].ToLowerInvariant();
        var rest = text[(schemeEnd + 3)..];
        switch (scheme)
        {
            case "unix":
                if (!rest.StartsWith('/'))
                {
                    throw new ArgumentException(
                        $"Engine endpoint '{value}' from {source} must name an absolute socket path (unix:///run/pscontainer/engine.sock).",
                        nameof(value));
                }
                return new EngineEndpoint(EngineTransport.Unix, rest, source);
            case "tcp":
            case "http":
                var hostPort = rest.TrimEnd('/');
                var colon = hostPort.LastIndexOf(':');
                if (colon <= 0 || !ushort.TryParse(hostPort[(colon + 1)..], out var port) || port == 0)
                {
                    throw new ArgumentException(
                        $"Engine endpoint '{value}' from {source} must be tcp://host:port with a port between 1 and 65535.",
                        nameof(value));
                }
                return new EngineEndpoint(EngineTransport.Tcp, hostPort, source);
            default:
                throw new ArgumentException(
                    $"Engine endpoint '{value}' from {source} uses the unsupported scheme '{scheme}': use unix:// or tcp://.",
                    nameof(value));
        }
    }
}
