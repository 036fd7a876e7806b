using System.Text;
using PSContainer.Engine.Core.Distribution;
using PSContainer.Engine.Core.Errdefs;
using Xunit;

namespace PSContainer.Engine.Core.Tests.Distribution;

public sealed class ParsingTests
{
    [Fact]
    public void A_bearer_challenge_yields_realm_service_and_scope()
    {
        var challenges = AuthChallenge.Parse(
            "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/busybox:pull\"");
        var bearer = Assert.Single(challenges);
        Assert.True(bearer.IsBearer);
        Assert.Equal("https://auth.docker.io/token", bearer.Realm);
        Assert.Equal("registry.docker.io", bearer.Service);
        Assert.Equal("repository:library/busybox:pull", bearer.Scope);
    }

    [Fact]
    public void Several_challenges_quoted_escapes_and_bare_tokens_are_parsed()
    {
        var challenges = AuthChallenge.Parse("Basic realm=\"a \\\"quoted\\\" realm\", Bearer realm=https://x/token, error=insufficient_scope");
        Assert.Equal(2, challenges.Count);
        Assert.True(challenges[0].IsBasic);
        Assert.Equal("a \"quoted\" realm", challenges[0].Realm);
        Assert.True(challenges[1].IsBearer);
        Assert.Equal("https://x/token", challenges[1].Realm);
        Assert.Equal("insufficient_scope", challenges[1].Parameters["error"]);
        Assert.Throws<FormatException>(() => AuthChallenge.Parse("Bearer realm=\"unterminated"));
    }

    [Fact]
    public void X_registry_auth_is_decoded_from_base64url_json_and_the_legacy_auth_field()
    {
        var json = """{"username":"bob","password":"p?>>","serveraddress":"localhost:5000"}""";
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var credentials = RegistryCredentials.FromRegistryAuthHeader(encoded)!;
        Assert.Equal("bob", credentials.Username);
        Assert.Equal("p?>>", credentials.Password);
        Assert.Equal("localhost:5000", credentials.ServerAddress);

        var legacy = Convert.ToBase64String(Encoding.UTF8.GetBytes($$"""{"auth":"{{Convert.ToBase64String(Encoding.UTF8.GetBytes("carol:pw:with:colons"))}}"}"""));
        var fromAuth = RegistryCredentials.FromRegistryAuthHeader(legacy)!;
        Assert.Equal("carol", fromAuth.Username);
        Assert.Equal("pw:with:colons", fromAuth.Password);

        Assert.Null(RegistryCredentials.FromRegistryAuthHeader(Convert.ToBase64String("{}"u8)));
        Assert.Null(RegistryCredentials.FromRegistryAuthHeader(""));
        var bad = Assert.Throws<CoreException>(() => RegistryCredentials.FromRegistryAuthHeader("%%%"));
        Assert.Equal(CoreErrorKind.InvalidArgument, bad.Kind);
    }

    [Theory]
    [InlineData("127.0.0.1:5000", true)]
    [InlineData("127.8.9.10", true)]
    [InlineData("[::1]:5000", true)]
    [InlineData("localhost:5000", true)]
    [InlineData("registry.example.com:5000", false)]
    [InlineData("insecure.example:443", true)]
    [InlineData("insecure.example:444", false)]
    [InlineData("anyport.example:8080", true)]
    [InlineData("10.20.3.4:5000", true)]
    [InlineData("10.21.0.1", false)]
    [InlineData("127.0.0.1:6000", false)] // certs.d has a CA for it: it speaks TLS
    [InlineData("registry.example.com:7000", false)] // certs.d entry, not insecure: HTTPS only
    [InlineData("tls.example:7000", false)] // insecure and a certs.d entry (by host): the entry says TLS
    public void Http_fallback_is_for_loopback_and_insecure_registries_without_a_certs_d_entry(string domain, bool fallback)
    {
        using var certs = new TempDirectory();
        Directory.CreateDirectory(certs.Combine("127.0.0.1:6000"));
        Directory.CreateDirectory(certs.Combine("registry.example.com:7000"));
        Directory.CreateDirectory(certs.Combine("tls.example"));
        var options = new RegistryOptions
        {
            InsecureRegistries = ["insecure.example:443", "tls.example:7000", "anyport.example", "10.20.0.0/16"],
            CertsDirectory = certs.Path,
        };
        Assert.Equal(fallback ? RegistryTransport.HttpsThenHttp : RegistryTransport.Https, RegistryHosts.TransportOf(domain, options));
        Assert.Equal("https", RegistryHosts.BaseUri(domain).Scheme); // HTTPS is always tried first
    }

    [Theory]
    [InlineData("https://10.0.0.1:5000/", "http://10.0.0.1:5000/")]
    [InlineData("https://insecure.example/", "http://insecure.example/")] // no port: 443 → 80, as dockerd
    [InlineData("https://[::1]:5000/", "http://[::1]:5000/")]
    public void The_http_fallback_keeps_host_and_explicit_port(string https, string http) =>
        Assert.Equal(new Uri(http), RegistryHosts.PlainHttp(new Uri(https)));

    [Theory]
    [InlineData(HttpRequestError.SecureConnectionError, true)] // a plain-HTTP server answered the ClientHello
    [InlineData(HttpRequestError.ConnectionError, true)] // nothing listens on the TLS port
    [InlineData(HttpRequestError.NameResolutionError, false)]
    [InlineData(HttpRequestError.InvalidResponse, false)]
    [InlineData(HttpRequestError.ResponseEnded, false)]
    [InlineData(HttpRequestError.Unknown, false)]
    public void Only_a_failed_handshake_or_a_refused_connection_falls_back_to_http(HttpRequestError kind, bool fallback) =>
        Assert.Equal(fallback, RegistryHosts.FallsBackToHttp(new HttpRequestException(kind, "test")));

    [Theory]
    [InlineData("Registry.Example:5000/", "registry.example:5000")]
    [InlineData("10.0.0.0/8", "10.0.0.0/8")]
    [InlineData("myhost", "myhost")]
    public void Insecure_registry_entries_are_normalised(string entry, string expected) =>
        Assert.Equal(expected, RegistryOptions.ValidateInsecureRegistry(entry));

    [Theory]
    [InlineData("http://registry:5000", "should not contain '://'")]
    [InlineData("registry:5000/path", "neither host[:port] nor a valid CIDR")]
    [InlineData("10.0.0.0/99", "neither host[:port] nor a valid CIDR")]
    [InlineData("  ", "empty")]
    public void Bad_insecure_registry_entries_are_refused_by_name(string entry, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => RegistryOptions.ValidateInsecureRegistry(entry));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Docker_hub_is_reached_at_registry_1()
    {
        Assert.Equal(new Uri("https://registry-1.docker.io/"), RegistryHosts.BaseUri("docker.io"));
        Assert.Equal(RegistryTransport.Https, RegistryHosts.TransportOf("docker.io", new RegistryOptions()));
        Assert.Equal("docker.io", DistributionService.DomainOf("https://index.docker.io/v1/"));
        Assert.Equal("localhost:5000", DistributionService.DomainOf("http://localhost:5000"));
        Assert.Equal("ghcr.io", DistributionService.DomainOf("ghcr.io"));
    }

    [Fact]
    public void Error_bodies_are_described_by_their_codes()
    {
        var error = RegistryErrors.FromStatus(System.Net.HttpStatusCode.NotFound,
            """{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}""", "manifest r/x:latest");
        Assert.Equal(CoreErrorKind.NotFound, error.Kind);
        Assert.Equal("manifest r/x:latest: not found: NAME_UNKNOWN: repository name not known to registry (HTTP 404)", error.Message);
    }
}
