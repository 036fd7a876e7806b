using System.Globalization;
using PSContainer.Api;
using PSContainer.Engine.Core.Archive;
using PSContainer.Engine.Core.Errdefs;
using PSContainer.Engine.Core.Events;
using PSContainer.Engine.Core.Gc;
using PSContainer.Engine.Core.Images;
using PSContainer.Engine.Core.Snapshots;
using PSContainer.Engine.Daemon.Containers;
using PSContainer.Engine.Errors;

namespace PSContainer.Engine.Daemon.Images;

/// <summary>
/// dockerd's image semantics over the core's image store: load/save, list, inspect, history,
/// tag, and removal with Docker's untag-then-delete rules and in-use conflicts; unreferenced
/// content and layer snapshots are collected after a removal.
/// </summary>
public sealed class ImageService(
    IImageStore images,
    IImageArchiveService archives,
    ISnapshotter snapshotter,
    IGarbageCollector? gc,
    ContainerStore containers,
    EventExchange events)
{
    public IImageStore Store => images;

    public async Task<LoadResult> LoadAsync(Stream archive, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var result = await archives.LoadAsync(archive, new LoadOptions { Progress = progress }, cancellationToken).ConfigureAwait(false);
        foreach (var image in result.Images)
        {
            events.Publish("image", "load", image.Id.ToString(), new Dictionary<string, string> { ["name"] = image.RepoTags.FirstOrDefault() ?? image.Id.ToString() });
        }
        return result;
    }

    /// <summary>
    /// docker import: a one-layer image from a rootfs tarball. <paramref name="changes"/> are the
    /// Dockerfile-like --change lines; CMD, ENTRYPOINT (JSON or shell form), ENV, WORKDIR, USER,
    /// LABEL, EXPOSE and STOPSIGNAL are understood.
    /// </summary>
    public async Task<Image> ImportAsync(Stream tar, string? reference, string? message, IReadOnlyList<string> changes, CancellationToken cancellationToken)
    {
        var config = new Oci.ImageRuntimeConfig();
        foreach (var change in changes.SelectMany(c => c.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            ImportChanges.Apply(config, change);
        }
        var image = await archives.ImportRootfsAsync(tar, new ImportOptions { Reference = reference, Message = message, Config = config }, cancellationToken).ConfigureAwait(false);
        events.Publish("image", "import", image.Id.ToString(), new Dictionary<string, string> { ["name"] = reference ?? image.Id.ToString() });
        return image;
    }

    public Task SaveAsync(IReadOnlyList<string> names, Stream output, CancellationToken cancellationToken)
    {
        foreach (var name in names)
        {
            _ = images.Get(name); // 404 before the 200 and the tar start
        }
        return archives.SaveDockerArchiveAsync(names, output, cancellationToken);
    }

    public List<ImageSummary> List(bool all, ImageFilters filters)
    {
        _ = all; // no intermediate images exist here (no builder), so all == not all
        var usage = ContainersByImage();
        return [.. images.List()
            .Where(filters.Matches)
            .OrderByDescending(i => i.Config.Created ?? i.LoadedAt)
            .Select(i => Summary(i, usage))];
    }

    private Dictionary<string, int> ContainersByImage() =>
        containers.All().GroupBy(c => c.Record.ImageId).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    private static ImageSummary Summary(Image image, Dictionary<string, int> usage) => new()
    {
        Id = image.Id.ToString(),
        ParentId = "",
        RepoTags = [.. image.RepoTags],
        RepoDigests = [.. image.RepoDigests],
        Created = (image.Config.Created ?? image.LoadedAt).ToUnixTimeSeconds(),
        Size = image.ContentSize,
        SharedSize = -1,
        Labels = image.Config.Config?.Labels ?? [],
        Containers = usage.TryGetValue(image.Id.ToString(), out var n) ? n : 0,
    };

    public ImageInspect Inspect(string nameOrId)
    {
        var image = images.Get(nameOrId);
        var config = image.Config;
        var runtime = config.Config;
        return new ImageInspect
        {
            Id = image.Id.ToString(),
            RepoTags = [.. image.RepoTags],
            RepoDigests = [.. image.RepoDigests],
            Parent = "",
            Comment = config.Comment ?? "",
            Created = config.Created is { } created ? ContainerService.Timestamp(created) : null,
            DockerVersion = config.DockerVersion ?? "",
            Author = config.Author ?? "",
            Config = runtime is null ? null : new ContainerConfig
            {
                User = runtime.User ?? "",
                Env = runtime.Env,
                Cmd = runtime.Cmd,
                Entrypoint = runtime.Entrypoint,
                WorkingDir = runtime.WorkingDir ?? "",
                Labels = runtime.Labels,
                StopSignal = runtime.StopSignal,
                ExposedPorts = runtime.ExposedPorts?.ToDictionary(p => p.Key, _ => new global::PSContainer.Api.EmptyObject()),
                Volumes = runtime.Volumes?.ToDictionary(p => p.Key, _ => new global::PSContainer.Api.EmptyObject()),
                OnBuild = runtime.OnBuild,
                Shell = runtime.Shell,
                ArgsEscaped = runtime.ArgsEscaped,
                Healthcheck = runtime.Healthcheck is { } hc ? new HealthConfig
                {
                    Test = hc.Test,
                    Interval = hc.Interval ?? 0,
                    Timeout = hc.Timeout ?? 0,
                    StartPeriod = hc.StartPeriod ?? 0,
                    StartInterval = hc.StartInterval ?? 0,
                    Retries = hc.Retries ?? 0,
                } : null,
            },
            Architecture = config.Architecture,
            Variant = config.Variant,
            Os = config.OS,
            OsVersion = config.OSVersion,
            Size = image.ContentSize,
            GraphDriver = new GraphDriverData { Name = snapshotter.Name, Data = [] },
            RootFS = new RootFS { Type = "layers", Layers = [.. image.DiffIds.Select(d => d.ToString())] },
            Metadata = new ImageMetadata { LastTagTime = ContainerService.Timestamp(image.LoadedAt) },
        };
    }

    /// <summary>
    /// docker history's SIZE of the image's layer <paramref name="index"/>: the unpacked layer's
    /// content (Docker's DiffSize), not the blob in the manifest, which is usually compressed.
    /// A layer that is not unpacked (or a history with more layers than the image) falls back to
    /// the blob's size, or 0.
    /// </summary>
    private long LayerDiffSize(Image image, int index)
    {
        var chainIds = image.ChainIds;
        if (index < chainIds.Count)
        {
            try
            {
                return snapshotter.DiffSize(chainIds[index].ToString());
            }
            catch (CoreException e) when (e.Kind == CoreErrorKind.NotFound)
            {
                // not unpacked: the blob is all we know
            }
        }
        var layers = image.Manifest.Layers;
        return index < layers.Count ? layers[index].Size : 0;
    }

    public List<ImageHistoryItem> History(string nameOrId)
    {
        var image = images.Get(nameOrId);
        var history = image.Config.History ?? [];
        var layerIndex = 0;
        var items = new List<ImageHistoryItem>();
        foreach (var entry in history)
        {
            var empty = entry.EmptyLayer == true;
            var size = empty ? 0 : LayerDiffSize(image, layerIndex++);
            items.Add(new ImageHistoryItem
            {
                Id = "<missing>",
                Created = (entry.Created ?? DateTimeOffset.UnixEpoch).ToUnixTimeSeconds(),
                CreatedBy = entry.CreatedBy ?? "",
                Size = size,
                Comment = entry.Comment ?? "",
                Tags = [],
            });
        }
        items.Reverse();
        if (items.Count == 0)
        {
            items.Add(new ImageHistoryItem { Created = (image.Config.Created ?? image.LoadedAt).ToUnixTimeSeconds(), Size = image.ContentSize });
        }
        items[0].Id = image.Id.ToString();
        items[0].Tags = [.. image.RepoTags];
        return items;
    }

    public void Tag(string source, string repo, string? tag)
    {
        if (string.IsNullOrEmpty(repo))
        {
            throw EngineException.InvalidParameter("repository name must have at least one component");
        }
        var target = string.IsNullOrEmpty(tag) ? repo : $"{repo}:{tag}";
        if (!ImageReference.TryParseNormalized(target, out _))
        {
            throw EngineException.InvalidParameter($"invalid reference format: {target}");
        }
        var image = images.Tag(source, target);
        events.Publish("image", "tag", image.Id.ToString(), new Dictionary<string, string> { ["name"] = target });
    }

    /// <summary>
    /// DELETE /images/{name}: a tag that is not the image's last reference is only untagged; the
    /// last reference (or an id) deletes the image, unless a container uses it (409; force lets a
    /// stopped container's image go, never a running one's), or an id names an image with several
    /// repositories without force (409).
    /// </summary>
    public List<ImageDeleteItem> Remove(string nameOrId, bool force, bool noPrune)
    {
        _ = noPrune;
        var image = images.Get(nameOrId);
        var id = image.Id.ToString();
        var byReference = !IsIdReference(nameOrId, id);
        var users = containers.All().Where(c => c.Record.ImageId == id).ToList();
        var running = users.FirstOrDefault(c => c.Record.State.HasTask);
        var result = new List<ImageDeleteItem>();

        if (byReference)
        {
            var reference = ImageReference.ParseNormalized(nameOrId);
            var others = image.References.Where(r => !r.Equals(reference)).ToList();
            // A tag takes its repository's digest references with it when no other tag of that
            // repository remains (Docker's rule: `rmi host/repo:tag` after a pull deletes the image).
            var digestsToo = reference.Digest is null && !others.Any(r => r.Digest is null && r.Name == reference.Name)
                ? others.Where(r => r.Digest is not null && r.Name == reference.Name).ToList()
                : [];
            if (others.Count > digestsToo.Count || (users.Count > 0 && force && running is null))
            {
                foreach (var untag in digestsToo.Prepend(reference))
                {
                    var familiar = untag.FamiliarString();
                    images.Untag(untag.ToString());
                    result.Add(new ImageDeleteItem { Untagged = familiar });
                    events.Publish("image", "untag", id, new Dictionary<string, string> { ["name"] = familiar });
                }
                return result;
            }
            if (users.Count > 0)
            {
                throw EngineException.Conflict(
                    $"conflict: unable to remove repository reference \"{nameOrId}\" (must force) - container {users[0].Id[..12]} is using its referenced image {image.ShortId}");
            }
        }
        else
        {
            if (running is not null)
            {
                throw EngineException.Conflict($"conflict: unable to delete {image.ShortId} (cannot be forced) - image is being used by running container {running.Id[..12]}");
            }
            if (users.Count > 0 && !force)
            {
                throw EngineException.Conflict($"conflict: unable to delete {image.ShortId} (must be forced) - image is being used by stopped container {users[0].Id[..12]}");
            }
            if (image.RepoTags.Count > 1 && !force)
            {
                throw EngineException.Conflict($"conflict: unable to delete {image.ShortId} (must be forced) - image is referenced in multiple repositories");
            }
        }

        foreach (var tag in image.RepoTags)
        {
            result.Add(new ImageDeleteItem { Untagged = tag });
        }
        foreach (var digest in image.RepoDigests)
        {
            result.Add(new ImageDeleteItem { Untagged = digest });
        }
        images.Delete(image.Id);
        result.Add(new ImageDeleteItem { Deleted = id });
        events.Publish("image", "delete", id, new Dictionary<string, string> { ["name"] = id });
        Collect();
        return result;
    }

    /// <summary>Removes dangling images (all unused ones when <paramref name="all"/>), then collects garbage.</summary>
    public ImagePruneResponse Prune(bool all)
    {
        var used = containers.All().Select(c => c.Record.ImageId).ToHashSet(StringComparer.Ordinal);
        var deleted = new List<ImageDeleteItem>();
        long reclaimed = 0;
        foreach (var image in images.List())
        {
            var dangling = image.RepoTags.Count == 0;
            if (used.Contains(image.Id.ToString()) || !(dangling || all))
            {
                continue;
            }
            foreach (var tag in image.RepoTags)
            {
                deleted.Add(new ImageDeleteItem { Untagged = tag });
            }
            images.Delete(image.Id);
            deleted.Add(new ImageDeleteItem { Deleted = image.Id.ToString() });
            reclaimed += image.ContentSize;
        }
        var collected = Collect();
        return new ImagePruneResponse { ImagesDeleted = deleted.Count > 0 ? deleted : null, SpaceReclaimed = Math.Max(reclaimed, collected) };
    }

    private long Collect()
    {
        if (gc is null)
        {
            return 0;
        }
        var result = gc.Collect(containers.All().Select(c => c.Record.SnapshotKey));
        return result.BytesReclaimed;
    }

    private static bool IsIdReference(string nameOrId, string id)
    {
        var hex = id["sha256:".Length..];
        var value = nameOrId.StartsWith("sha256:", StringComparison.Ordinal) ? nameOrId["sha256:".Length..] : nameOrId;
        return value.Length >= 1 && hex.StartsWith(value, StringComparison.Ordinal) && value.All(Uri.IsHexDigit) &&
               (nameOrId.StartsWith("sha256:", StringComparison.Ordinal) || value.Length >= 4 || !ImageReference.TryParseNormalized(nameOrId, out _));
    }

    internal static string FormatSize(long bytes) => bytes.ToString(CultureInfo.InvariantCulture);
}
