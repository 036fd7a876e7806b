using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace PSContainer.Engine.Core.Distribution;

/// <summary>How to reach registries: which ones get plain HTTP, where per-registry CAs live.</summary>
public sealed class RegistryOptions
{
    /// <summary>
    /// Docker's insecure-registries: "host:port", "host" or a CIDR ("10.0.0.0/8") of registries
    /// tried over HTTPS without a certificate check and then over plain HTTP (unless certs.d has an
    /// entry for them, which means TLS with those CAs only). 127.0.0.0/8, ::1 and localhost always are. Check entries with <see cref="ValidateInsecureRegistry"/>.
    /// </summary>
    public IReadOnlyCollection<string> InsecureRegistries { get; init; } = [];

    /// <summary>
    /// Checks one insecure-registries entry the way dockerd does: no scheme, no path; a CIDR must
    /// parse. Returns the entry normalised (lower case, no trailing slash); throws ArgumentException naming it.
    /// </summary>
    public static string ValidateInsecureRegistry(string entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var value = entry.Trim().TrimEnd('/').ToLowerInvariant();
        if (value.Length == 0)
        {
            throw new ArgumentException("insecure registry: an entry is empty");
        }
        if (value.Contains("://", StringComparison.Ordinal))
        {
            throw new ArgumentException($"insecure registry \"{entry}\" should not contain '://' (give host:port, host or a CIDR)");
        }
        if (value.Contains('/', StringComparison.Ordinal) && !System.Net.IPNetwork.TryParse(value, out _))
        {
            throw new ArgumentException($"insecure registry \"{entry}\" is neither host[:port] nor a valid CIDR");
        }
        return value;
    }

    /// <summary>Docker's certs.d convention: <c>&lt;dir&gt;/HOST:PORT/ca.crt</c> (and *.crt) are extra CAs for that registry.</summary>
    public string CertsDirectory { get; init; } = "/etc/pscontainer/certs.d";

    /// <summary>Layers fetched at the same time during a pull.</summary>
    public int MaxConcurrentDownloads { get; init; } = 3;

    /// <summary>Push: blobs up to this size are uploaded in one PUT, larger ones in PATCH chunks of this size.</summary>
    public int UploadChunkSize { get; init; } = 8 << 20;
}

/// <summary>How a registry is spoken to (<see cref="RegistryHosts.TransportOf"/>).</summary>
internal enum RegistryTransport
{
    /// <summary>TLS only; the certificate must chain to the system CAs or the registry's certs.d CAs.</summary>
    Https,

    /// <summary>
    /// An insecure registry, as dockerd treats one: TLS first without checking the certificate, and
    /// plain HTTP when the TLS handshake fails (the port speaks HTTP) or the TLS port refuses the connection.
    /// </summary>
    HttpsThenHttp,
}

/// <summary>
/// Maps a reference's domain to the registry's base URI (docker.io is registry-1.docker.io, always
/// https first) and decides the transport: 127.0.0.0/8, ::1, localhost and insecure registries may
/// fall back to plain HTTP — unless certs.d has a directory for the registry, which says it speaks
/// TLS with those CAs — everything else is HTTPS only with the system CAs plus the registry's certs.d CAs.
/// </summary>
internal static class RegistryHosts
{
    public const string DockerHubHost = "registry-1.docker.io";

    /// <summary>The first base URI to try: always https (a fallback to http is <see cref="PlainHttp"/>).</summary>
    public static Uri BaseUri(string domain) => new($"https://{HostPortOf(domain)}/");

    public static RegistryTransport TransportOf(string domain, RegistryOptions options)
    {
        var hostPort = HostPortOf(domain);
        return IsInsecure(hostPort, options) && !HasCertsD(hostPort, options) ? RegistryTransport.HttpsThenHttp : RegistryTransport.Https;
    }

    /// <summary>The host[:port] requests go to, as written in the reference (docker.io is registry-1.docker.io).</summary>
    private static string HostPortOf(string domain) =>
        domain is Images.ImageReference.DefaultDomain or Images.ImageReference.LegacyDefaultDomain ? DockerHubHost : domain;

    /// <summary>The same registry over plain HTTP: same host, same explicit port (no port: 80, as dockerd).</summary>
    public static Uri PlainHttp(Uri httpsBase) =>
        new UriBuilder(httpsBase) { Scheme = Uri.UriSchemeHttp, Port = httpsBase.IsDefaultPort ? -1 : httpsBase.Port }.Uri;

    /// <summary>
    /// Whether a failed HTTPS request to an insecure registry should be retried over HTTP: the TLS
    /// handshake failed (a plain-HTTP server answers a ClientHello with an HTTP error) or nothing
    /// listens on the port. Name resolution failures, timeouts and errors after connecting are not:
    /// HTTP would fail the same way or hide the real problem.
    /// </summary>
    public static bool FallsBackToHttp(HttpRequestException error) =>
        error.HttpRequestError is HttpRequestError.SecureConnectionError or HttpRequestError.ConnectionError;

    /// <summary>Listed as insecure (by host:port, host or CIDR), or a loopback registry.</summary>
    internal static bool IsInsecure(string hostPort, RegistryOptions options)
    {
        var host = HostOf(hostPort);
        var isAddress = IPAddress.TryParse(host, out var address);
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (isAddress && IPAddress.IsLoopback(address!)))
        {
            return true;
        }
        foreach (var entry in options.InsecureRegistries)
        {
            if (entry.Equals(hostPort, StringComparison.OrdinalIgnoreCase) || entry.Equals(host, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
            if (isAddress && entry.Contains('/', StringComparison.Ordinal) && IPNetwork.TryParse(entry, out var network) && network.Contains(address!))
            {
                return true;
            }
        }
        return false;
    }

    private static bool HasCertsD(string hostPort, RegistryOptions options) =>
        Directory.Exists(Path.Combine(options.CertsDirectory, hostPort)) || Directory.Exists(Path.Combine(options.CertsDirectory, HostOf(hostPort)));

    /// <summary>"host" of "host:port" or "[v6]:port".</summary>
    internal static string HostOf(string hostPort)
    {
        if (hostPort.StartsWith('['))
        {
            var end = hostPort.IndexOf(']', StringComparison.Ordinal);
            return end > 0 ? hostPort[1..end] : hostPort;
        }
        var colon = hostPort.LastIndexOf(':');
        return colon > 0 && hostPort.IndexOf(':', StringComparison.Ordinal) == colon ? hostPort[..colon] : hostPort;
    }

    /// <summary>
    /// An HTTP handler for one registry: redirects followed (blob storage); for <see cref="RegistryTransport.Https"/>
    /// certificates checked against the system store and, when certs.d has CAs for the registry,
    /// against those too; for an insecure registry's TLS attempt not checked at all (what listing it as insecure means).
    /// </summary>
    public static SocketsHttpHandler CreateHandler(Uri baseUri, RegistryOptions options, RegistryTransport transport)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 10,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        if (transport == RegistryTransport.HttpsThenHttp)
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
#pragma warning disable CA5359 // The user listed this registry as insecure: dockerd skips verification for it too.
                RemoteCertificateValidationCallback = static (_, _, _, _) => true,
#pragma warning restore CA5359
            };
            return handler;
        }
        var extraCas = LoadCertsD(baseUri, options);
        if (extraCas.Count > 0)
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => Validate(certificate, errors, extraCas),
            };
        }
        return handler;
    }

    private static X509Certificate2Collection LoadCertsD(Uri baseUri, RegistryOptions options)
    {
        var result = new X509Certificate2Collection();
        var hostPort = baseUri.IsDefaultPort ? baseUri.Host : $"{baseUri.Host}:{baseUri.Port}";
        foreach (var name in new[] { hostPort, baseUri.Host }.Distinct(StringComparer.Ordinal))
        {
            var directory = Path.Combine(options.CertsDirectory, name);
            if (!Directory.Exists(directory))
            {
                continue;
            }
            foreach (var file in Directory.EnumerateFiles(directory, "*.crt").Where(f => !f.EndsWith(".cert", StringComparison.Ordinal)))
            {
                result.ImportFromPemFile(file);
            }
        }
        return result;
    }

    private static bool Validate(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection extraCas)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            return false; // a name mismatch is not forgiven by a private CA
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(extraCas);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }
}
