using PSContainer.Engine.Core.Distribution;
using PSContainer.Engine.Core.Errdefs;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Engine.Core.IntegrationTests.Distribution;

/// <summary>
/// HTTPS registries: trusted through certs.d/HOST:PORT/ca.crt, refused when that CA did not sign the
/// registry's certificate. A loopback (so insecure) registry without a certs.d entry is tried over
/// HTTPS without checking its certificate and over plain HTTP when the handshake fails, as dockerd does.
/// </summary>
public sealed class RegistryTlsTests
{
    [RequiresRootFact]
    public async Task A_registry_with_a_private_ca_is_trusted_only_through_certs_d()
    {
        using var registry = new LocalRegistry(tls: true);
        var certsD = Path.Combine(registry.Root, "certs.d");
        using var core = new CoreFixture("native");
        var localhost = $"localhost:{registry.Port}";
        await using (var archive = File.OpenRead(TestEnvironment.Image("busybox-oci.tar")))
        {
            await core.Services.Archives.LoadAsync(archive, new Archive.LoadOptions { DefaultRepository = "busybox" });
        }
        var image = core.Services.Images.Tag("busybox:latest", $"{localhost}/secure:1");
        // certs.d names the registry (so it speaks TLS) but with a CA that did not sign its certificate.
        var otherCa = Path.Combine(registry.Root, "other-ca");
        Directory.CreateDirectory(otherCa);
        LocalRegistry.MakeCa(otherCa);
        var wrongCertsD = Path.Combine(registry.Root, "wrong-certs.d");
        Directory.CreateDirectory(Path.Combine(wrongCertsD, localhost));
        File.Copy(Path.Combine(otherCa, "ca.crt"), Path.Combine(wrongCertsD, localhost, "ca.crt"));
        var untrusting = new DistributionService(core.Services.Content, core.Services.Images, core.Services.Unpacker, core.Services.Gc,
            new RegistryOptions { CertsDirectory = wrongCertsD });

        var refused = await Assert.ThrowsAsync<CoreException>(() => untrusting.PushAsync($"{localhost}/secure:1"));
        Assert.Equal(CoreErrorKind.Unavailable, refused.Kind);

        Directory.CreateDirectory(Path.Combine(certsD, localhost));
        File.Copy(registry.CaFile!, Path.Combine(certsD, localhost, "ca.crt"));
        var trusting = new DistributionService(core.Services.Content, core.Services.Images, core.Services.Unpacker, core.Services.Gc,
            new RegistryOptions { CertsDirectory = certsD });
        var pushed = await trusting.PushAsync($"{localhost}/secure:1");
        Assert.Equal(image.Target.Digest, pushed.Digest);
        core.Services.Images.Untag($"{localhost}/secure:1");
        var pulled = await trusting.PullAsync($"{localhost}/secure:1");
        Assert.Equal(image.Id, pulled.Image.Id);
    }

    [RequiresRootFact]
    public async Task An_insecure_registry_gets_https_first_and_plain_http_after_a_failed_handshake_unless_certs_d_names_it()
    {
        using var tlsRegistry = new LocalRegistry(tls: true);
        using var plainRegistry = new LocalRegistry();
        var certsD = Path.Combine(plainRegistry.Root, "certs.d");
        Directory.CreateDirectory(certsD);
        var options = new RegistryOptions { CertsDirectory = certsD };

        using (var client = new RegistryClient(tlsRegistry.Domain, options: options))
        {
            await client.PingAsync(); // a test CA nobody trusts: an insecure registry's certificate is not checked
            Assert.Equal(new Uri($"https://{tlsRegistry.Domain}/"), client.BaseUri);
        }
        using (var client = new RegistryClient(plainRegistry.Domain, options: options))
        {
            await client.PingAsync();
            Assert.Equal(new Uri($"http://{plainRegistry.Domain}/"), client.BaseUri);
        }

        // A certs.d entry says the registry speaks TLS: no fallback, the handshake failure is the error.
        Directory.CreateDirectory(Path.Combine(certsD, plainRegistry.Domain));
        using (var client = new RegistryClient(plainRegistry.Domain, options: options))
        {
            var error = await Assert.ThrowsAsync<CoreException>(() => client.PingAsync());
            Assert.Equal(CoreErrorKind.Unavailable, error.Kind);
            Assert.Contains($"https://{plainRegistry.Domain}/", error.Message, StringComparison.Ordinal);
            Assert.Equal("https", client.BaseUri.Scheme);
        }
    }
}
