using PSContainer.Engine.Core.Images;
using Xunit;

namespace PSContainer.Engine.Core.Tests.Images;

public sealed class ImageReferenceTests
{
    private const string Hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("busybox", "docker.io/library/busybox:latest")]
    [InlineData("busybox:1.36", "docker.io/library/busybox:1.36")]
    [InlineData("library/busybox", "docker.io/library/busybox:latest")]
    [InlineData("docker.io/busybox", "docker.io/library/busybox:latest")]
    [InlineData("index.docker.io/busybox", "docker.io/library/busybox:latest")]
    [InlineData("index.docker.io/foo/bar:1", "docker.io/foo/bar:1")]
    [InlineData("foo/bar", "docker.io/foo/bar:latest")]
    [InlineData("foo/bar/baz:v2", "docker.io/foo/bar/baz:v2")]
    [InlineData("localhost/foo", "localhost/foo:latest")]
    [InlineData("localhost:5000/foo", "localhost:5000/foo:latest")]
    [InlineData("127.0.0.1:5000/ns/repo:tag", "127.0.0.1:5000/ns/repo:tag")]
    [InlineData("ghcr.io/owner/image:v1.2.3", "ghcr.io/owner/image:v1.2.3")]
    [InlineData("[::1]:5000/foo:bar", "[::1]:5000/foo:bar")]
    [InlineData("Registry.Example/foo", "Registry.Example/foo:latest")]
    [InlineData("a-b_c__d/e.f---g", "docker.io/a-b_c__d/e.f---g:latest")]
    [InlineData("busybox@sha256:" + Hex, "docker.io/library/busybox@sha256:" + Hex)]
    [InlineData("busybox:1@sha256:" + Hex, "docker.io/library/busybox:1@sha256:" + Hex)]
    [InlineData("localhost:5000/x@sha256:" + Hex, "localhost:5000/x@sha256:" + Hex)]
    [InlineData("localhost:5000", "docker.io/library/localhost:5000")]
    public void Normalises_like_docker(string input, string expected) =>
        Assert.Equal(expected, ImageReference.ParseNormalized(input).ToString());

    [Theory]
    [InlineData("docker.io/library/busybox:latest", "busybox:latest")]
    [InlineData("docker.io/foo/bar:1", "foo/bar:1")]
    [InlineData("docker.io/library/a/b:1", "library/a/b:1")]
    [InlineData("localhost:5000/foo:latest", "localhost:5000/foo:latest")]
    [InlineData("busybox@sha256:" + Hex, "busybox@sha256:" + Hex)]
    public void Familiar_form_drops_docker_hub_defaults(string input, string expected) =>
        Assert.Equal(expected, ImageReference.ParseNormalized(input).FamiliarString());

    [Fact]
    public void Splits_into_parts()
    {
        var reference = ImageReference.ParseNormalized("localhost:5000/ns/repo:tag@sha256:" + Hex);
        Assert.Equal("localhost:5000", reference.Domain);
        Assert.Equal("ns/repo", reference.Path);
        Assert.Equal("tag", reference.Tag);
        Assert.Equal("sha256:" + Hex, reference.Digest.ToString());
        Assert.Equal("localhost:5000/ns/repo", reference.Name);
    }

    [Fact]
    public void Name_only_parse_adds_no_tag()
    {
        var reference = ImageReference.ParseNormalizedName("busybox");
        Assert.Null(reference.Tag);
        Assert.Equal("docker.io/library/busybox", reference.ToString());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("Busybox", "must be lowercase")]
    [InlineData("foo/Bar", "must be lowercase")]
    [InlineData(Hex, "64-byte hexadecimal")]
    [InlineData("busybox:", "bad tag")]
    [InlineData("busybox:-x", "bad tag")]
    [InlineData("busybox:a/b", "bad registry host")]
    [InlineData("busybox@sha256:abc", "bad digest")]
    [InlineData("busybox@md5:" + Hex, "bad digest")]
    [InlineData("-foo", "bad repository name")]
    [InlineData("foo//bar", "bad repository name")]
    [InlineData("foo/bar-", "bad repository name")]
    [InlineData("foo..bar", "bad repository name")]
    [InlineData("-host.io/foo", "bad registry host")]
    [InlineData("host.io:port/foo", "bad registry host")]
    [InlineData("a_b.c/d", "bad registry host")]
    public void Rejects_malformed_references_with_a_reason(string input, string reason)
    {
        var error = Assert.Throws<FormatException>(() => ImageReference.ParseNormalized(input));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_over_long_names()
    {
        var error = Assert.Throws<FormatException>(() => ImageReference.ParseNormalized("r/" + new string('a', 260)));
        Assert.Contains("255", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tag_is_limited_to_128_characters()
    {
        Assert.Equal(128, ImageReference.ParseNormalized("x:" + new string('t', 128)).Tag!.Length);
        Assert.Throws<FormatException>(() => ImageReference.ParseNormalized("x:" + new string('t', 129)));
    }

    [Fact]
    public void With_tag_replaces_tag_and_digest()
    {
        var reference = ImageReference.ParseNormalized("busybox@sha256:" + Hex).WithTag("v1");
        Assert.Equal("docker.io/library/busybox:v1", reference.ToString());
        Assert.Throws<FormatException>(() => reference.WithTag(".bad"));
    }

    [Fact]
    public void Equal_references_compare_equal()
    {
        Assert.Equal(ImageReference.ParseNormalized("busybox"), ImageReference.ParseNormalized("docker.io/library/busybox:latest"));
        Assert.NotEqual(ImageReference.ParseNormalized("busybox:1"), ImageReference.ParseNormalized("busybox:2"));
    }
}
