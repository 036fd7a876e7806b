using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace PSContainer.Engine.Core.Distribution;

/// <summary>How to reach registries: which ones get plain HTTP, where per-registry CAs live.</summary>
public sealed class RegistryOptions
{
    /// <summary>
    /// Docker's insecure-registries: "host:port", "host" or a CIDR ("10.0.0.0/8") of registries
    /// spoken to over plain HTTP (unless certs.d holds a CA for them). 127.0.0.0/8, ::1 and
    /// localhost always are. Check entries with <see cref="ValidateInsecureRegistry"/>.
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

/// <summary>
/// Maps a reference's domain to the registry's base URI: docker.io is registry-1.docker.io;
/// 127.0.0.0/8, ::1, localhost and insecure registries use http — unless certs.d has a directory
/// for the registry, which says it speaks TLS — everything else https with the system CAs plus
/// the registry's certs.d CAs. (dockerd tries https, then http, for insecure registries; one
/// predictable scheme per registry keeps errors clear.)
/// </summary>
internal static class RegistryHosts
{
    public const string DockerHubHost = "registry-1.docker.io";

    public static Uri BaseUri(string domain, RegistryOptions options)
    {
        var host = domain is Images.ImageReference.DefaultDomain or Images.ImageReference.LegacyDefaultDomain ? DockerHubHost : domain;
        var scheme = IsPlainHttp(host, options) ? "http" : "https";
        return new Uri($"{scheme}://{host}/");
    }

    public static bool IsPlainHttp(string hostPort, RegistryOptions options) =>
        IsInsecure(hostPort, options) && !HasCertsD(hostPort, options);

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
    /// An HTTP handler for one registry: redirects followed (blob storage), certificates checked
    /// against the system store, and, when certs.d has CAs for the registry, against those too.
    /// </summary>
    public static SocketsHttpHandler CreateHandler(Uri baseUri, RegistryOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 10,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
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
