namespace PSContainer.Module.Core;

/// <summary>
/// Which listed images a user's word means: a wildcard over repository:tag (or repository), a
/// reference ("busybox" = "busybox:latest", "docker.io/library/busybox" too), or an id prefix.
/// </summary>
public static class ImageMatcher
{
    public static IReadOnlyList<ContainerImage> Match(IReadOnlyList<ContainerImage> images, string name)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(name);
        if (Wildcard.ContainsWildcard(name))
        {
            return images.Where(i => i.Repository != ContainerImage.None
                && (Wildcard.IsMatch(i.Repository + ":" + i.Tag, name) || Wildcard.IsMatch(i.Repository, name))).ToList();
        }
        var hasTag = name.LastIndexOf(':') > name.LastIndexOf('/') || name.Contains('@', StringComparison.Ordinal);
        var byReference = images.Where(i => i.Repository != ContainerImage.None
            && (hasTag ? ImageConverter.ReferenceMatches(i.Reference, name) : ImageConverter.ReferenceMatches(i.Repository + ":" + i.Tag, name + ":" + i.Tag))).ToList();
        if (byReference.Count > 0)
        {
            return byReference;
        }
        var hex = Ids.StripAlgorithm(name).ToLowerInvariant();
        return Ids.LooksLikeIdPrefix(hex)
            ? images.Where(i => Ids.StripAlgorithm(i.Id).StartsWith(hex, StringComparison.Ordinal)).ToList()
            : [];
    }
}
