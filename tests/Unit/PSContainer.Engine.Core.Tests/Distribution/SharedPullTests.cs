using PSContainer.Engine.Core.Distribution;
using Xunit;

namespace PSContainer.Engine.Core.Tests.Distribution;

/// <summary>Concurrent pulls of one image share one download (single-flight per repository and manifest digest).</summary>
public sealed class SharedPullTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly CoreServices _core;

    public SharedPullTests()
    {
        _core = CoreServices.Open(new CoreOptions { DataRoot = _dir.Combine("root"), Snapshotter = "native" });
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_second_pull_of_the_same_image_waits_for_the_first_download_and_sees_its_progress()
    {
        using var registry = new FakeRegistry();
        var built = TestImageBuilder.Publish(registry, "shared/app", "v1", layerCount: 3);
        foreach (var (layer, _) in built.Layers)
        {
            registry.HeldBlobs[layer.Digest.ToString()] = true;
        }
        var first = new Recorder();
        var second = new Recorder();

        var firstPull = _core.Distribution.PullAsync($"{registry.Domain}/shared/app:v1", progress: first);
        await WaitUntil(() => registry.Requests.Any(r => IsLayerGet(r, built)) || firstPull.IsCompleted);
        Assert.False(firstPull.IsCompleted, firstPull.Exception?.ToString());
        // Same image under another name of the same repository: it joins the first pull's flight.
        var secondPull = _core.Distribution.PullAsync($"{registry.Domain}/shared/app@{built.Manifest.Digest}", progress: second);
        await WaitUntil(() => second.Has("Waiting") || secondPull.IsCompleted);
        registry.ReleaseHeldBlobs();
        var results = await Task.WhenAll(firstPull, secondPull);

        Assert.Equal(results[0].Image.Id, results[1].Image.Id);
        foreach (var (layer, _) in built.Layers)
        {
            Assert.Equal(1, registry.Requests.Count(r => r == $"GET /v2/shared/app/blobs/{layer.Digest}"));
            Assert.True(second.Has("Download complete", layer.Digest.Encoded[..12]), $"the waiting pull saw no 'Download complete' for {layer.Digest}");
            Assert.True(second.Has("Pull complete", layer.Digest.Encoded[..12]));
        }
        Assert.Equal(1, registry.Requests.Count(r => r == $"GET /v2/shared/app/blobs/{built.Config.Digest}"));
    }

    [Fact]
    public async Task Cancelling_the_first_pull_does_not_cancel_the_download_another_pull_waits_for()
    {
        using var registry = new FakeRegistry();
        var built = TestImageBuilder.Publish(registry, "app", "latest", layerCount: 2);
        registry.HeldBlobs[built.Layers[1].Descriptor.Digest.ToString()] = true;
        using var cancel = new CancellationTokenSource();
        var second = new Recorder();

        var firstPull = _core.Distribution.PullAsync($"{registry.Domain}/app", cancellationToken: cancel.Token);
        await WaitUntil(() => registry.Requests.Any(r => IsLayerGet(r, built)) || firstPull.IsCompleted);
        var secondPull = _core.Distribution.PullAsync($"{registry.Domain}/app", progress: second);
        await WaitUntil(() => second.Has("Waiting") || secondPull.IsCompleted);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => firstPull);
        registry.ReleaseHeldBlobs();

        var result = await secondPull;
        Assert.Equal(built.Config.Digest, result.Image.Id);
        Assert.Equal(1, registry.Requests.Count(r => r == $"GET /v2/app/blobs/{built.Layers[1].Descriptor.Digest}"));
    }

    [Fact]
    public async Task When_every_waiter_is_cancelled_the_shared_download_stops_and_a_new_pull_starts_afresh()
    {
        using var registry = new FakeRegistry();
        var built = TestImageBuilder.Publish(registry, "app", "latest", layerCount: 1);
        registry.HeldBlobs[built.Layers[0].Descriptor.Digest.ToString()] = true;
        using var cancel = new CancellationTokenSource();

        var pull = _core.Distribution.PullAsync($"{registry.Domain}/app", cancellationToken: cancel.Token);
        await WaitUntil(() => registry.Requests.Any(r => IsLayerGet(r, built)) || pull.IsCompleted);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pull);
        registry.ReleaseHeldBlobs();

        var again = await _core.Distribution.PullAsync($"{registry.Domain}/app");
        Assert.Equal(built.Config.Digest, again.Image.Id);
        Assert.False(again.UpToDate);
    }

    private static bool IsLayerGet(string request, TestImageBuilder.Built built) =>
        built.Layers.Any(l => request.StartsWith($"GET /v2/", StringComparison.Ordinal) && request.Contains(l.Descriptor.Digest.ToString(), StringComparison.Ordinal));

    /// <summary>Polls a condition the code under test makes true (no time limit is asserted: xunit's own timeout guards a hang).</summary>
    private static async Task WaitUntil(Func<bool> condition)
    {
        while (!condition())
        {
            await Task.Delay(10);
        }
    }

    private sealed class Recorder : IProgress<TransferProgress>
    {
        private readonly List<TransferProgress> _events = [];

        public void Report(TransferProgress value)
        {
            lock (_events)
            {
                _events.Add(value);
            }
        }

        public bool Has(string status, string? id = null)
        {
            lock (_events)
            {
                return _events.Any(e => e.Status == status && (id is null || e.Id == id));
            }
        }
    }
}
