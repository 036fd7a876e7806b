using PSContainer.Engine.Core.Content;
using PSContainer.Engine.Core.Distribution;
using PSContainer.Engine.Core.Errdefs;
using PSContainer.Oci;
using Xunit;

namespace PSContainer.Engine.Core.Tests.Distribution;

/// <summary>Pulls from <see cref="FakeRegistry"/> into a real core (content store, native snapshots, image store).</summary>
public sealed class PullTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly CoreServices _core;

    public PullTests()
    {
        _core = CoreServices.Open(new CoreOptions { DataRoot = _dir.Combine("root"), Snapshotter = "native" });
    }

    public void Dispose() => _dir.Dispose();

    private static RegistryCredentials Alice(string password = FakeRegistry.Password) => new() { Username = FakeRegistry.User, Password = password };

    private List<TransferProgress> Recorder(out IProgress<TransferProgress> progress)
    {
        var list = new List<TransferProgress>();
        progress = new SyncProgress(p =>
        {
            lock (list)
            {
                list.Add(p);
            }
        });
        return list;
    }

    [Fact]
    public async Task An_anonymous_pull_records_the_image_with_tag_and_repo_digest_and_reports_docker_progress()
    {
        using var registry = new FakeRegistry();
        var built = TestImageBuilder.Publish(registry, "team/app", "v1", layerCount: 3);
        var events = Recorder(out var progress);

        var result = await _core.Distribution.PullAsync($"{registry.Domain}/team/app:v1", progress: progress);

        Assert.False(result.UpToDate);
        Assert.Equal(built.Manifest.Digest, result.Digest);
        Assert.Equal(built.Config.Digest, result.Image.Id);
        Assert.Equal([$"{registry.Domain}/team/app:v1"], result.Image.RepoTags);
        Assert.Equal([$"{registry.Domain}/team/app@{built.Manifest.Digest}"], result.Image.RepoDigests);
        Assert.Equal(result.Image.Id, _core.Images.Get($"{registry.Domain}/team/app:v1").Id);
        foreach (var (layer, _) in built.Layers)
        {
            var id = layer.Digest.Encoded[..12];
            var statuses = events.Where(e => e.Id == id).Select(e => e.Status).Distinct().ToList();
            Assert.Equal(["Pulling fs layer", "Downloading", "Verifying Checksum", "Download complete", "Extracting", "Pull complete"], statuses);
            Assert.Contains(events, e => e.Id == id && e.Status == "Downloading" && e.Current == layer.Size && e.Total == layer.Size);
        }
        Assert.Equal($"Digest: {built.Manifest.Digest}", events[^2].Status);
        Assert.Equal($"Status: Downloaded newer image for {registry.Domain}/team/app:v1", events[^1].Status);
        // The top layer's file is in the unpacked snapshot of the chain.
        Assert.NotNull(_core.Snapshotter.Stat(result.Image.ChainIds[^1].ToString()));
    }

    [Fact]
    public async Task A_second_pull_downloads_no_blob_again_and_says_up_to_date()
    {
        using var registry = new FakeRegistry();
        TestImageBuilder.Publish(registry, "app", "latest", layerCount: 2);
        await _core.Distribution.PullAsync($"{registry.Domain}/app");
        var blobGets = registry.Requests.Count(r => r.Contains("/blobs/", StringComparison.Ordinal));
        var events = Recorder(out var progress);

        var again = await _core.Distribution.PullAsync($"{registry.Domain}/app", progress: progress);

        Assert.True(again.UpToDate);
        Assert.Equal(blobGets, registry.Requests.Count(r => r.Contains("/blobs/", StringComparison.Ordinal)));
        Assert.Equal($"Status: Image is up to date for {registry.Domain}/app:latest", events[^1].Status);
        Assert.Equal(2, events.Count(e => e.Status == "Already exists"));
    }

    [Fact]
    public async Task The_host_platform_is_chosen_from_an_index_and_other_platforms_are_not_downloaded()
    {
        using var registry = new FakeRegistry();
        var amd64 = TestImageBuilder.Publish(registry, "multi", tag: null, layerCount: 1, architecture: "amd64");
        var arm64 = TestImageBuilder.Publish(registry, "multi", tag: null, layerCount: 1, architecture: "arm64");
        var indexDigest = TestImageBuilder.PublishIndex(registry, "multi", "latest", arm64.Manifest, amd64.Manifest);

        var result = await _core.Distribution.PullAsync($"{registry.Domain}/multi", platform: new Platform { OS = "linux", Architecture = "amd64" });

        Assert.Equal(indexDigest, result.Digest);
        Assert.Equal(amd64.Config.Digest, result.Image.Id);
        Assert.Equal(indexDigest, result.Image.Index!.Digest);
        Assert.Equal(amd64.Manifest.Digest, result.Image.Target.Digest);
        Assert.DoesNotContain(registry.Requests, r => r.Contains(arm64.Layers[0].Descriptor.Digest.ToString(), StringComparison.Ordinal));
        Assert.DoesNotContain(registry.Requests, r => r.Contains(arm64.Manifest.Digest.ToString(), StringComparison.Ordinal));

        var missing = await Assert.ThrowsAsync<CoreException>(() =>
            _core.Distribution.PullAsync($"{registry.Domain}/multi", platform: new Platform { OS = "linux", Architecture = "s390x" }));
        Assert.Equal(CoreErrorKind.NotFound, missing.Kind);
        Assert.Contains("no matching manifest for linux/s390x", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pull_by_digest_records_only_the_digest_reference()
    {
        using var registry = new FakeRegistry();
        var built = TestImageBuilder.Publish(registry, "app", "v2", layerCount: 1);

        var result = await _core.Distribution.PullAsync($"{registry.Domain}/app@{built.Manifest.Digest}");

        Assert.Empty(result.Image.RepoTags);
        Assert.Equal([$"{registry.Domain}/app@{built.Manifest.Digest}"], result.Image.RepoDigests);
    }

    [Fact]
    public async Task A_corrupted_blob_is_rejected_and_no_image_is_recorded()
    {
        using var registry = new FakeRegistry();
        var built = TestImageBuilder.Publish(registry, "bad", "latest", layerCount: 2);
        var victim = built.Layers[1].Descriptor.Digest.ToString();
        var tampered = (byte[])registry.Blobs[victim].Clone();
        tampered[^5] ^= 0xff;
        registry.Blobs[victim] = tampered;

        var error = await Assert.ThrowsAsync<CoreException>(() => _core.Distribution.PullAsync($"{registry.Domain}/bad"));

        Assert.Equal(CoreErrorKind.DataCorrupted, error.Kind);
        Assert.Contains(victim, error.Message, StringComparison.Ordinal);
        Assert.False(_core.Images.TryGet($"{registry.Domain}/bad", out _));
        Assert.False(_core.Content.Exists(built.Layers[1].Descriptor.Digest));
        Assert.DoesNotContain(_core.Content.ListIngests(), i => i.Reference.Contains(victim, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_interrupted_download_resumes_with_a_range_request()
    {
        using var registry = new FakeRegistry();
        var built = TestImageBuilder.Publish(registry, "resume", "latest", layerCount: 1);
        var (layer, blob) = built.Layers[0];
        var half = blob.Length / 2;
        // What an interrupted pull leaves: an ingest under the same name holding the first half.
        await using (var writer = await _core.Content.OpenWriterAsync($"pull-{layer.Digest}", layer.Size, layer.Digest))
        {
            await writer.WriteAsync(blob.AsMemory(0, half));
        }

        var result = await _core.Distribution.PullAsync($"{registry.Domain}/resume");

        Assert.Equal(built.Config.Digest, result.Image.Id);
        Assert.Contains($"GET /v2/resume/blobs/{layer.Digest} bytes={half}-", registry.Requests);
        Assert.True(_core.Content.Exists(layer.Digest));
    }

    [Fact]
    public async Task A_broken_off_download_leaves_no_image_and_the_next_pull_resumes_it()
    {
        using var registry = new FakeRegistry();
        var built = TestImageBuilder.Publish(registry, "flaky", "latest", layerCount: 1);
        registry.BreakBlobDownloads = true;

        var broken = await Assert.ThrowsAsync<CoreException>(() => _core.Distribution.PullAsync($"{registry.Domain}/flaky"));

        Assert.Equal(CoreErrorKind.Unavailable, broken.Kind);
        Assert.False(_core.Images.TryGet($"{registry.Domain}/flaky", out _));
        // The config comes first, so its download is the one that broke off.
        var partial = Assert.Single(_core.Content.ListIngests());
        Assert.Equal($"pull-{built.Config.Digest}", partial.Reference);
        Assert.True(partial.Offset > 0);

        registry.BreakBlobDownloads = false;
        var result = await _core.Distribution.PullAsync($"{registry.Domain}/flaky");
        Assert.Equal(built.Config.Digest, result.Image.Id);
        Assert.Contains($"GET /v2/flaky/blobs/{built.Config.Digest} bytes={partial.Offset}-", registry.Requests);
        Assert.Empty(_core.Content.ListIngests());
    }

    [Fact]
    public async Task Zstd_layers_are_decompressed_by_the_zstd_program()
    {
        Assert.True(Core.Diff.ZstdProcessStream.Program is not null, "the zstd program is not installed (scripts/install-deps.sh installs it)");
        using var registry = new FakeRegistry();
        var built = TestImageBuilder.Publish(registry, "zstd", "latest", layerCount: 2, layerMediaType: MediaTypes.OciLayerZstd);

        var result = await _core.Distribution.PullAsync($"{registry.Domain}/zstd");

        Assert.Equal(built.Config.Digest, result.Image.Id);
        var mounts = _core.Snapshotter.View("zstd-view", result.Image.ChainIds[^1].ToString());
        try
        {
            Assert.Equal("layer 1 of amd64", File.ReadAllText(Path.Combine(mounts[0].Source, "file1")));
        }
        finally
        {
            _core.Snapshotter.Remove("zstd-view");
        }
    }

    [Fact]
    public async Task A_corrupt_zstd_layer_fails_with_zstds_own_message_and_records_no_image()
    {
        using var registry = new FakeRegistry();
        // A valid frame magic followed by garbage, published under its own (correct) digest: the download verifies, zstd does not.
        TestImageBuilder.Publish(registry, "badzstd", "latest", layerCount: 1, layerMediaType: MediaTypes.OciLayerZstd,
            mangle: _ => [0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x01, 0x02, 0x03, 0xde, 0xad, 0xbe, 0xef]);

        var error = await Assert.ThrowsAnyAsync<CoreException>(() => _core.Distribution.PullAsync($"{registry.Domain}/badzstd"));

        Assert.Contains("zstd", error.Message, StringComparison.Ordinal);
        Assert.False(_core.Images.TryGet($"{registry.Domain}/badzstd", out _));
    }

    [Fact]
    public async Task Bearer_tokens_are_fetched_with_the_credentials_once_per_scope_and_reused()
    {
        using var registry = new FakeRegistry("bearer");
        var built = TestImageBuilder.Publish(registry, "private/app", "latest", layerCount: 3);

        var result = await _core.Distribution.PullAsync($"{registry.Domain}/private/app", credentials: Alice());

        Assert.Equal(built.Config.Digest, result.Image.Id);
        Assert.Equal(1, registry.TokenRequests); // manifest, config and three layers share the pull scope's token
    }

    [Fact]
    public async Task Bearer_auth_with_a_wrong_password_names_the_registry_error_code()
    {
        using var registry = new FakeRegistry("bearer");
        TestImageBuilder.Publish(registry, "private/app", "latest", layerCount: 1);

        var error = await Assert.ThrowsAsync<RegistryException>(() =>
            _core.Distribution.PullAsync($"{registry.Domain}/private/app", credentials: Alice("wrong")));

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, error.Status);
        Assert.Contains("UNAUTHORIZED: bad credentials", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Basic_auth_is_answered_after_the_challenge_and_anonymous_access_is_refused()
    {
        using var registry = new FakeRegistry("basic");
        var built = TestImageBuilder.Publish(registry, "app", "latest", layerCount: 1);

        var anonymous = await Assert.ThrowsAsync<RegistryException>(() => _core.Distribution.PullAsync($"{registry.Domain}/app"));
        Assert.Equal(CoreErrorKind.FailedPrecondition, anonymous.Kind);
        Assert.Contains("UNAUTHORIZED", anonymous.Message, StringComparison.Ordinal);

        var result = await _core.Distribution.PullAsync($"{registry.Domain}/app", credentials: Alice());
        Assert.Equal(built.Config.Digest, result.Image.Id);
    }

    [Fact]
    public async Task Login_checks_the_credentials_against_the_registry()
    {
        using var registry = new FakeRegistry("basic");
        await _core.Distribution.LoginAsync(new RegistryCredentials { Username = FakeRegistry.User, Password = FakeRegistry.Password, ServerAddress = registry.Domain });
        var refused = await Assert.ThrowsAsync<RegistryException>(() =>
            _core.Distribution.LoginAsync(new RegistryCredentials { Username = FakeRegistry.User, Password = "nope", ServerAddress = $"http://{registry.Domain}/" }));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.Status);
    }

    [Fact]
    public async Task Unknown_manifests_and_server_errors_carry_the_registry_code()
    {
        using var registry = new FakeRegistry();
        var unknown = await Assert.ThrowsAsync<RegistryException>(() => _core.Distribution.PullAsync($"{registry.Domain}/nothing:here"));
        Assert.Equal(CoreErrorKind.NotFound, unknown.Kind);
        Assert.Contains("MANIFEST_UNKNOWN: manifest unknown", unknown.Message, StringComparison.Ordinal);

        registry.Failures["/v2/busy/manifests/latest"] = (429, """{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}""");
        var limited = await Assert.ThrowsAsync<RegistryException>(() => _core.Distribution.PullAsync($"{registry.Domain}/busy"));
        Assert.Equal(CoreErrorKind.Unavailable, limited.Kind);
        Assert.Contains("TOOMANYREQUESTS: slow down", limited.Message, StringComparison.Ordinal);

        registry.Failures["/v2/broken/manifests/latest"] = (503, "upstream down");
        var broken = await Assert.ThrowsAsync<RegistryException>(() => _core.Distribution.PullAsync($"{registry.Domain}/broken"));
        Assert.Equal(CoreErrorKind.Unavailable, broken.Kind);
        Assert.Contains("upstream down (HTTP 503)", broken.Message, StringComparison.Ordinal);
    }

    private sealed class SyncProgress(Action<TransferProgress> report) : IProgress<TransferProgress>
    {
        public void Report(TransferProgress value) => report(value);
    }
}
