using PSContainer.Engine.Core.Snapshots;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Engine.Core.IntegrationTests;

public sealed class ConcurrencyTests
{
    [RequiresRootTheory]
    [InlineData("overlayfs")]
    [InlineData("native")]
    public async Task Many_containers_prepared_at_once_from_a_fresh_image_unpack_each_layer_once(string snapshotter)
    {
        using var core = new CoreFixture(snapshotter);
        await using (var stream = File.OpenRead(TestEnvironment.Image("layered-docker.tar")))
        {
            await core.Services.Archives.LoadAsync(stream);
        }
        // Loading unpacked the layers; remove them so that the containers race to unpack.
        var image = core.Services.Images.Get("layered");
        foreach (var chainId in image.ChainIds.Reverse())
        {
            core.Services.Snapshotter.Remove(chainId.ToString());
        }
        var ids = Enumerable.Range(0, 12).Select(i => $"container-{i}").ToList();
        var all = await Task.WhenAll(ids.Select(id => Task.Run(() => core.Services.Rootfs.PrepareAsync("layered", id))));
        Assert.All(all, mounts => Assert.NotEmpty(mounts));
        var snapshots = core.Services.Snapshotter.Walk();
        Assert.Equal(image.ChainIds.Count, snapshots.Count(s => s.Kind == SnapshotKind.Committed));
        Assert.Equal(ids.Order(), snapshots.Where(s => s.Kind == SnapshotKind.Active).Select(s => s.Name).Order());
        Assert.All(snapshots.Where(s => s.Kind == SnapshotKind.Active), s => Assert.Equal(image.ChainIds[^1].ToString(), s.Parent));
    }

    [RequiresRootFact]
    public async Task Concurrent_loads_of_the_same_archive_agree()
    {
        using var core = new CoreFixture("overlayfs");
        var loads = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            await using var stream = File.OpenRead(TestEnvironment.Image("busybox-oci.tar"));
            return await core.Services.Archives.LoadAsync(stream);
        }));
        var results = await Task.WhenAll(loads);
        Assert.Single(results.Select(r => Assert.Single(r.Images).Id).Distinct());
        Assert.Single(core.Services.Images.List());
        Assert.Single(core.Services.Snapshotter.Walk());
        Assert.Empty(core.Services.Content.ListIngests());
    }
}
