using System.Security.Cryptography;
using System.Text.Json.Nodes;
using PSContainer.Engine.Core.IntegrationTests.Distribution;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Engine.IntegrationTests.Distribution;

/// <summary>
/// push → pull → run → commit → push → pull across clean engines (real psc-engine processes with
/// their own roots and network prefixes) and Debian's docker-registry, driven by the docker CLI.
/// Every hop must keep the manifest digest, the config digest (image id) and the layer digests,
/// and they must be what skopeo reads from the registry.
/// </summary>
public sealed class RoundTripTests
{
    [RequiresRootFact]
    public void Push_pull_run_commit_push_pull_across_clean_engines_keeps_every_digest()
    {
        using var registry = new LocalRegistry();
        var original = $"{registry.Domain}/roundtrip/busybox:v1";
        var committed = $"{registry.Domain}/roundtrip/committed:v1";

        // Engine 1: the test image from an archive, pushed.
        string originalId;
        string originalDigest;
        using (var first = new EngineProcess())
        {
            first.Start();
            first.DockerOk("load -i " + TestEnvironment.Image("busybox-docker.tar"));
            originalId = first.DockerOk("inspect -f {{.Id}} busybox").Trim();
            first.DockerOk($"tag busybox {original}");
            originalDigest = PushedDigest(first, original);
            Assert.Contains($"{registry.Domain}/roundtrip/busybox@{originalDigest}", first.DockerOk($"inspect -f '{{{{json .RepoDigests}}}}' {original}"), StringComparison.Ordinal);
        }
        var originalManifest = RegistryManifest(registry, "roundtrip/busybox:v1", originalDigest);
        Assert.Equal(originalId, originalManifest.ConfigDigest);

        // Engine 2: pull, run, commit, push the commit.
        string committedId;
        string committedDigest;
        string committedDiffIds;
        using (var second = new EngineProcess())
        {
            second.Start();
            second.DockerOk($"pull {original}");
            AssertEngineHas(second, original, originalDigest, originalManifest);
            Assert.Equal("", second.DockerOk($"run --name roundtrip --network none {original} sh -c 'echo round-trip > /roundtrip.txt'"));
            committedId = second.DockerOk($"commit roundtrip {committed}").Trim();
            committedDiffIds = second.DockerOk($"inspect -f '{{{{json .RootFS.Layers}}}}' {committed}").Trim();
            committedDigest = PushedDigest(second, committed);
        }
        var committedManifest = RegistryManifest(registry, "roundtrip/committed:v1", committedDigest);
        Assert.Equal(committedId, committedManifest.ConfigDigest);
        // The commit adds one layer on top of the pulled ones, which the registry already had.
        Assert.Equal([.. originalManifest.Layers, committedManifest.Layers[^1]], committedManifest.Layers);

        // Engine 3: pull the commit; same digests, same diff ids, and the committed file is there.
        using var third = new EngineProcess();
        third.Start();
        third.DockerOk($"pull {committed}");
        AssertEngineHas(third, committed, committedDigest, committedManifest);
        Assert.Equal(committedDiffIds, third.DockerOk($"inspect -f '{{{{json .RootFS.Layers}}}}' {committed}").Trim());
        Assert.Equal("round-trip\n", third.DockerOk($"run --rm --network none {committed} cat /roundtrip.txt"));
    }

    private sealed record Manifest(string ConfigDigest, IReadOnlyList<string> Layers);

    /// <summary>docker push; the digest from its last line ("TAG: digest: sha256:… size: N").</summary>
    private static string PushedDigest(EngineProcess engine, string reference)
    {
        var output = engine.DockerOk("push " + reference);
        var line = output.Split('\n').LastOrDefault(l => l.Contains(": digest: sha256:", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"docker push {reference} printed no digest:\n{output}");
        var digest = line.Split(' ')[2];
        Assert.Matches("^sha256:[0-9a-f]{64}$", digest);
        return digest;
    }

    /// <summary>
    /// The manifest as the registry serves it, read by skopeo: its bytes must hash to the digest the
    /// push reported, and skopeo's own digest and layer list must agree with them.
    /// </summary>
    private static Manifest RegistryManifest(LocalRegistry registry, string repositoryAndTag, string pushedDigest)
    {
        Assert.Equal(pushedDigest, registry.SkopeoDigest(repositoryAndTag));
        var raw = registry.SkopeoRawManifest(repositoryAndTag);
        Assert.Equal(pushedDigest, Sha256(raw));
        var manifest = Parse(raw);
        var skopeoLayers = JsonNode.Parse(registry.SkopeoInspect(repositoryAndTag))!["Layers"]!.AsArray().Select(l => (string)l!).ToList();
        Assert.Equal(manifest.Layers, skopeoLayers);
        return manifest;
    }

    private static Manifest Parse(byte[] manifestBytes)
    {
        var node = JsonNode.Parse(manifestBytes)!;
        return new Manifest((string)node["config"]!["digest"]!, node["layers"]!.AsArray().Select(l => (string)l!["digest"]!).ToList());
    }

    /// <summary>
    /// What a pulling engine recorded: the repo digest and image id through the API, and in its
    /// content store the manifest bytes (hashing to the digest) and every layer blob (hashing to its digest).
    /// </summary>
    private static void AssertEngineHas(EngineProcess engine, string reference, string manifestDigest, Manifest expected)
    {
        var repository = reference[..reference.LastIndexOf(':')];
        Assert.Contains($"\"{repository}@{manifestDigest}\"", engine.DockerOk($"inspect -f '{{{{json .RepoDigests}}}}' {reference}"), StringComparison.Ordinal);
        Assert.Equal(expected.ConfigDigest, engine.DockerOk($"inspect -f {{{{.Id}}}} {reference}").Trim());
        var stored = File.ReadAllBytes(Blob(engine, manifestDigest));
        Assert.Equal(manifestDigest, Sha256(stored));
        var manifest = Parse(stored);
        Assert.Equal(expected.ConfigDigest, manifest.ConfigDigest);
        Assert.Equal(expected.Layers, manifest.Layers);
        foreach (var layer in expected.Layers)
        {
            using var blob = File.OpenRead(Blob(engine, layer));
            Assert.Equal(layer, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(blob)));
        }
    }

    private static string Blob(EngineProcess engine, string digest) =>
        Path.Combine(engine.DataRoot, "content", "blobs", "sha256", digest["sha256:".Length..]);

    private static string Sha256(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
}
