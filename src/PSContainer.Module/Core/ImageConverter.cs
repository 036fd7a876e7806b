using Dto = PSContainer.Api;

namespace PSContainer.Module.Core;

/// <summary>Turns image DTOs into <see cref="ContainerImage"/> objects, one per tag as docker images shows them.</summary>
public static class ImageConverter
{
    public static IEnumerable<ContainerImage> FromSummary(Dto.ImageSummary summary, string endpoint)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var tags = summary.RepoTags.Where(t => t != "<none>:<none>").ToList();
        var created = EngineTime.FromUnixSeconds(summary.Created);
        if (tags.Count == 0)
        {
            var digestRepo = summary.RepoDigests.Select(d => d.Split('@')[0]).FirstOrDefault();
            yield return Make(summary, endpoint, created, digestRepo ?? ContainerImage.None, ContainerImage.None, tags);
            yield break;
        }
        foreach (var tag in tags)
        {
            var (repository, name) = SplitReference(tag);
            yield return Make(summary, endpoint, created, repository, name, tags);
        }
    }

    public static ContainerImage FromInspect(Dto.ImageInspect inspect, string endpoint, string? requestedReference = null)
    {
        ArgumentNullException.ThrowIfNull(inspect);
        var tags = inspect.RepoTags.Where(t => t != "<none>:<none>").ToList();
        // Show the tag the user asked for when the image has several.
        var shown = tags.FirstOrDefault(t => requestedReference is not null && ReferenceMatches(t, requestedReference)) ?? tags.FirstOrDefault();
        var (repository, tag) = shown is null ? (ContainerImage.None, ContainerImage.None) : SplitReference(shown);
        return new ContainerImage
        {
            Id = inspect.Id,
            Repository = repository,
            Tag = tag,
            RepoTags = tags,
            RepoDigests = inspect.RepoDigests.ToList(),
            Created = EngineTime.ParseRfc3339(inspect.Created) ?? default,
            Size = inspect.Size,
            Labels = ContainerConverter.Copy(inspect.Config?.Labels),
            Architecture = inspect.Architecture,
            Os = inspect.Os,
            Layers = inspect.RootFS?.Layers.ToList() ?? [],
            Endpoint = endpoint,
        };
    }

    public static ContainerImageHistory FromHistory(Dto.ImageHistoryItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return new ContainerImageHistory
        {
            ImageId = item.Id,
            Created = EngineTime.FromUnixSeconds(item.Created),
            CreatedBy = item.CreatedBy,
            Size = item.Size,
            Comment = item.Comment,
            Tags = item.Tags.ToList(),
        };
    }

    /// <summary>
    /// Splits "registry:5000/team/app:1.2" into repository and tag at the last colon after the
    /// last slash (a colon before it is a registry port); no tag means "latest". A digest
    /// reference (repo@sha256:...) keeps its digest as the tag.
    /// </summary>
    public static (string Repository, string Tag) SplitReference(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var at = reference.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            return (reference[..at], reference[(at + 1)..]);
        }
        var slash = reference.LastIndexOf('/');
        var colon = reference.LastIndexOf(':');
        return colon > slash ? (reference[..colon], reference[(colon + 1)..]) : (reference, "latest");
    }

    /// <summary>True when a full repo:tag is what a user meant by a short reference ("busybox" = "busybox:latest").</summary>
    public static bool ReferenceMatches(string repoTag, string reference)
    {
        var (repository, tag) = SplitReference(reference);
        var (candidateRepository, candidateTag) = SplitReference(repoTag);
        return string.Equals(tag, candidateTag, StringComparison.Ordinal)
            && (string.Equals(repository, candidateRepository, StringComparison.Ordinal)
                || string.Equals(StripDefaultRegistry(repository), StripDefaultRegistry(candidateRepository), StringComparison.Ordinal));
    }

    private static string StripDefaultRegistry(string repository)
    {
        foreach (var prefix in new[] { "docker.io/library/", "docker.io/", "library/" })
        {
            if (repository.StartsWith(prefix, StringComparison.Ordinal))
            {
                return repository[prefix.Length..];
            }
        }
        return repository;
    }

    private static ContainerImage Make(Dto.ImageSummary summary, string endpoint, DateTime created, string repository, string tag, List<string> tags) => new()
    {
        Id = summary.Id,
        Repository = repository,
        Tag = tag,
        RepoTags = tags,
        RepoDigests = summary.RepoDigests.ToList(),
        Created = created,
        Size = summary.Size,
        Labels = ContainerConverter.Copy(summary.Labels),
        Containers = summary.Containers,
        Endpoint = endpoint,
    };
}
