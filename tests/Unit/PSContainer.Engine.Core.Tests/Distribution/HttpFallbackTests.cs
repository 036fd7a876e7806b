using System.Net;
using System.Net.Sockets;
using PSContainer.Engine.Core.Distribution;
using PSContainer.Engine.Core.Errdefs;
using Xunit;

namespace PSContainer.Engine.Core.Tests.Distribution;

/// <summary>
/// The HTTPS-then-HTTP fallback against a real plain-HTTP server (<see cref="FakeRegistry"/>):
/// insecure registries switch after the failed TLS handshake, secure ones (certs.d entry, not
/// insecure) never send a plain-HTTP request.
/// </summary>
public sealed class HttpFallbackTests
{
    [Fact]
    public async Task A_loopback_registry_speaking_http_is_reached_after_the_tls_handshake_fails()
    {
        using var registry = new FakeRegistry();
        using var client = new RegistryClient(registry.Domain);
        Assert.Equal("https", client.BaseUri.Scheme);
        await client.PingAsync();
        Assert.Equal(new Uri($"http://{registry.Domain}/"), client.BaseUri);
        Assert.Contains("GET /v2/", registry.Requests);
    }

    [Fact]
    public async Task A_named_registry_listed_as_insecure_falls_back_to_http()
    {
        using var registry = new FakeRegistry();
        var domain = $"registry.test:{registry.Port}";
        var options = new RegistryOptions { InsecureRegistries = ["registry.test"] };
        using var client = new RegistryClient(domain, options: options, handler: ToLoopback(domain, options));
        await client.PingAsync();
        Assert.Equal(new Uri($"http://{domain}/"), client.BaseUri);
    }

    [Fact]
    public async Task A_registry_with_a_certs_d_entry_that_is_not_insecure_stays_https_only()
    {
        using var registry = new FakeRegistry();
        using var certs = new TempDirectory();
        var domain = $"registry.test:{registry.Port}";
        Directory.CreateDirectory(certs.Combine(domain));
        var options = new RegistryOptions { CertsDirectory = certs.Path };
        using var client = new RegistryClient(domain, options: options, handler: ToLoopback(domain, options));

        var error = await Assert.ThrowsAsync<CoreException>(() => client.PingAsync());
        Assert.Equal(CoreErrorKind.Unavailable, error.Kind);
        Assert.Contains($"https://{domain}/", error.Message, StringComparison.Ordinal);
        Assert.Equal("https", client.BaseUri.Scheme);
        Assert.DoesNotContain("GET /v2/", registry.Requests);
    }

    [Fact]
    public async Task When_neither_scheme_answers_the_error_names_both_attempts()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        using var client = new RegistryClient($"127.0.0.1:{port}");
        var error = await Assert.ThrowsAsync<CoreException>(() => client.PingAsync());
        Assert.Equal(CoreErrorKind.Unavailable, error.Kind);
        Assert.Contains($"(http://127.0.0.1:{port}/)", error.Message, StringComparison.Ordinal);
        Assert.Contains("over https first", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The registry's own handler, with requests for <paramref name="domain"/> sent to 127.0.0.1 (same scheme and port).</summary>
    private static HttpMessageHandler ToLoopback(string domain, RegistryOptions options) =>
        new LoopbackRewriter(RegistryHosts.CreateHandler(RegistryHosts.BaseUri(domain), options, RegistryHosts.TransportOf(domain, options)));

    private sealed class LoopbackRewriter(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.RequestUri = new UriBuilder(request.RequestUri!) { Host = "127.0.0.1" }.Uri;
            return base.SendAsync(request, cancellationToken);
        }
    }
}
