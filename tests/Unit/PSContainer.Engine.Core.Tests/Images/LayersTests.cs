using System.Security.Cryptography;
using System.Text;
using PSContainer.Engine.Core.Images;
using PSContainer.Oci;
using Xunit;

namespace PSContainer.Engine.Core.Tests.Images;

public sealed class LayersTests
{
    [Fact]
    public void Chain_ids_follow_the_image_spec()
    {
        var a = Digest.FromBytes("a"u8);
        var b = Digest.FromBytes("b"u8);
        var c = Digest.FromBytes("c"u8);
        var chain = Layers.ChainIds([a, b, c]);
        Assert.Equal(a, chain[0]);
        var ab = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes($"{a} {b}")));
        Assert.Equal(ab, chain[1].ToString());
        var abc = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes($"{ab} {c}")));
        Assert.Equal(abc, chain[2].ToString());
        Assert.Empty(Layers.ChainIds([]));
    }

    [Fact]
    public void Platform_matcher_prefers_the_best_supported_variant_and_skips_other_platforms()
    {
        Descriptor Entry(string os, string arch, string? variant, string id) => new()
        {
            MediaType = MediaTypes.OciManifest,
            Digest = Digest.FromBytes(Encoding.ASCII.GetBytes(id)),
            Platform = new Platform { OS = os, Architecture = arch, Variant = variant },
        };
        var arm = Entry("linux", "arm64", "v8", "arm");
        var plain = Entry("linux", "amd64", null, "plain");
        var v2 = Entry("linux", "amd64", "v2", "v2");
        var v9 = Entry("linux", "amd64", "v9", "v9");
        var attestation = Entry("unknown", "unknown", null, "att");
        var wanted = new Platform { OS = "linux", Architecture = "amd64" };
        Assert.Same(v2, PlatformMatcher.Select([attestation, arm, plain, v2, v9], wanted));
        Assert.Same(plain, PlatformMatcher.Select([attestation, arm, plain, v9], wanted));
        Assert.Null(PlatformMatcher.Select([attestation, arm], wanted));
        Assert.Same(arm, PlatformMatcher.Select([plain, arm], new Platform { OS = "linux", Architecture = "arm64" }));
    }
}
