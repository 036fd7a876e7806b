using PSContainer.Engine.Core.Content;
using PSContainer.Engine.Core.Errdefs;
using PSContainer.Engine.Core.Gc;
using PSContainer.Engine.Core.Images;
using PSContainer.Oci;

namespace PSContainer.Engine.Core.Distribution;

/// <summary>
/// Pull and login against registries (the engine's /images/create?fromImage= and /auth). Each
/// call opens a <see cref="RegistryClient"/> for the reference's registry with the caller's credentials.
/// </summary>
public sealed class DistributionService
{
    private readonly ImagePuller _puller;
    private readonly ImagePusher _pusher;
    private readonly Func<string, RegistryCredentials?, RegistryClient> _clientFactory;

    public DistributionService(IContentStore content, IImageStore images, ImageUnpacker unpacker, IGarbageCollector gc, RegistryOptions? options = null,
        Func<string, RegistryCredentials?, RegistryClient>? clientFactory = null)
    {
        Options = options ?? new RegistryOptions();
        _puller = new ImagePuller(content, images, unpacker, gc, Options);
        _pusher = new ImagePusher(content, images, Options);
        _clientFactory = clientFactory ?? ((domain, credentials) => new RegistryClient(domain, credentials, Options));
    }

    public RegistryOptions Options { get; }

    /// <summary>
    /// Pulls <paramref name="reference"/> ("busybox", "host:5000/ns/repo:tag", "repo@sha256:…") for
    /// <paramref name="platform"/> (the host's when null) and records it.
    /// </summary>
    public async Task<PullResult> PullAsync(string reference, Platform? platform = null, RegistryCredentials? credentials = null,
        IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (!ImageReference.TryParseNormalized(reference, out var parsed))
        {
            throw CoreException.InvalidArgument($"invalid reference format: \"{reference}\"");
        }
        using var client = new RegistryClientHandle(_clientFactory(parsed.Domain, credentials));
        return await _puller.PullAsync(client, parsed, platform, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// docker push: pushes the local image named <paramref name="reference"/> (default tag latest)
    /// to its registry; returns the pushed manifest's digest and size.
    /// </summary>
    public async Task<PushResult> PushAsync(string reference, RegistryCredentials? credentials = null,
        IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (!ImageReference.TryParseNormalized(reference, out var parsed) || parsed.Digest is not null)
        {
            throw CoreException.InvalidArgument($"invalid reference to push: \"{reference}\" (name[:tag])");
        }
        using var client = _clientFactory(parsed.Domain, credentials);
        return await _pusher.PushAsync(client, parsed, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// docker login: checks <paramref name="credentials"/> against the registry's /v2/ (through its
    /// token endpoint when it uses bearer tokens). Throws a <see cref="RegistryException"/> when refused.
    /// </summary>
    public async Task LoginAsync(RegistryCredentials credentials, CancellationToken cancellationToken = default)
    {
        var domain = string.IsNullOrEmpty(credentials.ServerAddress) ? ImageReference.DefaultDomain : DomainOf(credentials.ServerAddress);
        using var client = _clientFactory(domain, credentials);
        await client.PingAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>"https://index.docker.io/v1/" → docker.io; "host:5000" stays.</summary>
    internal static string DomainOf(string serverAddress)
    {
        var value = serverAddress.Trim();
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            value = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}";
        }
        value = value.TrimEnd('/');
        return value is ImageReference.LegacyDefaultDomain or RegistryHosts.DockerHubHost ? ImageReference.DefaultDomain : value;
    }
}
