using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using PSContainer.Oci;

namespace PSContainer.Engine.Core.Images;

/// <summary>
/// An image reference parsed and normalised the way Docker does it:
/// <c>busybox</c> → <c>docker.io/library/busybox:latest</c>, <c>host:5000/ns/repo:tag@sha256:…</c>.
/// Grammar: name [":" tag] ["@" digest]; name = [domain "/"] path; the first path component is a
/// domain only when it holds "." or ":" or is "localhost" (otherwise "docker.io" is implied, and a
/// single-component Docker Hub path gets "library/").
/// </summary>
public sealed partial class ImageReference : IEquatable<ImageReference>
{
    public const string DefaultDomain = "docker.io";
    public const string LegacyDefaultDomain = "index.docker.io";
    public const string OfficialRepositoryPrefix = "library/";
    public const string DefaultTag = "latest";
    private const int NameMaxLength = 255;

    private ImageReference(string domain, string path, string? tag, Digest? digest)
    {
        Domain = domain;
        Path = path;
        Tag = tag;
        Digest = digest;
    }

    /// <summary>Registry host with optional port: "docker.io", "localhost:5000", "[::1]:5000".</summary>
    public string Domain { get; }

    /// <summary>Repository path inside the registry: "library/busybox".</summary>
    public string Path { get; }

    public string? Tag { get; }

    public Digest? Digest { get; }

    /// <summary>"docker.io/library/busybox": domain and path, no tag or digest.</summary>
    public string Name => $"{Domain}/{Path}";

    /// <summary>The full normalised form: name[:tag][@digest].</summary>
    public override string ToString() =>
        Name + (Tag is null ? "" : ":" + Tag) + (Digest is { } d ? "@" + d : "");

    /// <summary>Docker's short form for display: "busybox:latest", "foo/bar:1", "localhost:5000/x:y".</summary>
    public string FamiliarString()
    {
        var name = FamiliarName;
        return name + (Tag is null ? "" : ":" + Tag) + (Digest is { } d ? "@" + d : "");
    }

    /// <summary>The name without docker.io/ and library/ where Docker omits them.</summary>
    public string FamiliarName
    {
        get
        {
            if (Domain != DefaultDomain)
            {
                return Name;
            }
            return Path.StartsWith(OfficialRepositoryPrefix, StringComparison.Ordinal) && Path.IndexOf('/', OfficialRepositoryPrefix.Length) < 0
                ? Path[OfficialRepositoryPrefix.Length..]
                : Path;
        }
    }

    public ImageReference WithTag(string tag)
    {
        if (!TagPattern().IsMatch(tag))
        {
            throw new FormatException($"invalid tag \"{tag}\": a tag is 1 to 128 of [A-Za-z0-9_.-], not starting with . or -");
        }
        return new ImageReference(Domain, Path, tag, null);
    }

    public ImageReference WithDigest(Digest digest) => new(Domain, Path, null, digest);

    /// <summary>The name only (no tag, no digest).</summary>
    public ImageReference NameOnly() => new(Domain, Path, null, null);

    /// <summary>Parses and normalises; adds the "latest" tag when neither tag nor digest is given.</summary>
    public static ImageReference ParseNormalized(string value) => Normalize(value, addDefaultTag: true);

    /// <summary>Parses and normalises without adding a default tag (for repository names).</summary>
    public static ImageReference ParseNormalizedName(string value) => Normalize(value, addDefaultTag: false);

    public static bool TryParseNormalized(string? value, [NotNullWhen(true)] out ImageReference? reference)
    {
        reference = null;
        if (value is null)
        {
            return false;
        }
        try
        {
            reference = ParseNormalized(value);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static ImageReference Normalize(string value, bool addDefaultTag)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length == 0)
        {
            throw new FormatException("invalid reference format: empty");
        }
        if (AnchoredHex64().IsMatch(value))
        {
            throw new FormatException($"invalid repository name ({value}), cannot specify 64-byte hexadecimal strings");
        }

        var rest = value;
        Digest? digest = null;
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            var digestText = rest[(at + 1)..];
            if (!Oci.Digest.TryParse(digestText, out var parsed))
            {
                throw new FormatException($"invalid reference format: bad digest \"{digestText}\" in \"{value}\"");
            }
            digest = parsed;
            rest = rest[..at];
        }

        string? tag = null;
        var lastColon = rest.LastIndexOf(':');
        if (lastColon >= 0 && rest.IndexOf('/', lastColon) < 0)
        {
            tag = rest[(lastColon + 1)..];
            rest = rest[..lastColon];
            if (!TagPattern().IsMatch(tag))
            {
                throw new FormatException($"invalid reference format: bad tag \"{tag}\" in \"{value}\"");
            }
        }

        var (domain, path) = SplitDomain(rest);
        if (domain.Length == 0 || path.Length == 0)
        {
            throw new FormatException($"invalid reference format: \"{value}\"");
        }
        if (!DomainPattern().IsMatch(domain))
        {
            throw new FormatException($"invalid reference format: bad registry host \"{domain}\" in \"{value}\"");
        }
        if (path.Any(char.IsUpper))
        {
            throw new FormatException($"invalid reference format: repository name ({path}) must be lowercase");
        }
        if (!PathPattern().IsMatch(path))
        {
            throw new FormatException($"invalid reference format: bad repository name \"{path}\" in \"{value}\"");
        }
        if (domain.Length + 1 + path.Length > NameMaxLength)
        {
            throw new FormatException($"invalid reference format: repository name must not be more than {NameMaxLength} characters");
        }
        if (tag is null && digest is null && addDefaultTag)
        {
            tag = DefaultTag;
        }
        return new ImageReference(domain, path, tag, digest);
    }

    private static (string Domain, string Path) SplitDomain(string name)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        string domain;
        string path;
        if (slash < 0)
        {
            domain = DefaultDomain;
            path = name;
        }
        else
        {
            var first = name[..slash];
            var looksLikeHost = first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal)
                || first == "localhost" || first.Any(char.IsUpper);
            if (looksLikeHost)
            {
                domain = first;
                path = name[(slash + 1)..];
            }
            else
            {
                domain = DefaultDomain;
                path = name;
            }
        }
        if (domain == LegacyDefaultDomain)
        {
            domain = DefaultDomain;
        }
        if (domain == DefaultDomain && !path.Contains('/', StringComparison.Ordinal))
        {
            path = OfficialRepositoryPrefix + path;
        }
        return (domain, path);
    }

    public bool Equals(ImageReference? other) => other is not null && ToString() == other.ToString();

    public override bool Equals(object? obj) => Equals(obj as ImageReference);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToString());

    [GeneratedRegex("^[a-f0-9]{64}$")]
    private static partial Regex AnchoredHex64();

    [GeneratedRegex(@"^[\w][\w.-]{0,127}$")]
    private static partial Regex TagPattern();

    // host: domain components separated by dots, or an IPv6 literal in brackets; optional :port.
    [GeneratedRegex(@"^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$")]
    private static partial Regex DomainPattern();

    // path components: lower-case alphanumerics joined by ".", "_", "__" or runs of "-".
    [GeneratedRegex(@"^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*)*$")]
    private static partial Regex PathPattern();
}
