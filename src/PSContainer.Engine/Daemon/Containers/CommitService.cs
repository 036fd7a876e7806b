using PSContainer.Api;
using PSContainer.Engine.Core.Events;
using PSContainer.Engine.Core.Images;
using PSContainer.Engine.Daemon.Images;
using PSContainer.Engine.Errors;
using PSContainer.Oci;

namespace PSContainer.Engine.Daemon.Containers;

/// <summary>The query and body of POST /commit.</summary>
/// <param name="Config">The body: a config to start from instead of the container's (fields it leaves empty come from the container).</param>
public sealed record CommitRequest(
    string Container,
    string? Repository,
    string? Tag,
    string? Comment,
    string? Author,
    bool Pause,
    IReadOnlyList<string> Changes,
    ContainerConfig? Config);

/// <summary>
/// docker commit: the container's writable layer (its snapshot against the image it came from)
/// becomes a new layer on top of that image, with the container's config plus the --change lines
/// as the image config, a history entry carrying the comment, and the requested tag. A running
/// container is paused meanwhile unless pause=false, so the layer is consistent.
/// </summary>
public sealed class CommitService(ContainerService containers, ImageCommitter committer, EventExchange events)
{
    /// <summary>Files the engine bind-mounts over the rootfs; their mount points are not the container's changes (Docker's init layer).</summary>
    private static readonly HashSet<string> EngineManagedFiles = new(StringComparer.Ordinal) { "/etc/hostname", "/etc/hosts", "/etc/resolv.conf" };

    public async Task<Image> CommitAsync(CommitRequest request, CancellationToken cancellationToken)
    {
        var container = containers.Store.Get(request.Container);
        var state = container.Record.State.Status;
        if (state == "removing")
        {
            throw EngineException.Conflict($"You cannot commit container {container.Id} which is being removed");
        }
        if (state == "dead")
        {
            throw EngineException.Conflict($"You cannot commit container {container.Id} which is Dead");
        }
        var reference = Reference(request.Repository, request.Tag);
        var config = BuildConfig(container.Record.Config, request.Config, request.Changes);

        var paused = false;
        if (request.Pause && state == "running")
        {
            await containers.PauseAsync(container.Id, cancellationToken).ConfigureAwait(false);
            paused = true;
        }
        Image image;
        try
        {
            image = await committer.CommitAsync(container.Record.SnapshotKey, new CommitOptions
            {
                Reference = reference,
                Config = config,
                Author = NullIfEmpty(request.Author),
                Comment = NullIfEmpty(request.Comment),
                CreatedBy = string.Join(' ', new[] { container.Record.Path }.Concat(container.Record.Args)).Trim(),
                Exclude = path => EngineManagedFiles.Contains(path),
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (paused)
            {
                await containers.UnpauseAsync(container.Id, CancellationToken.None).ConfigureAwait(false);
            }
        }

        var id = image.Id.ToString();
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["name"] = container.Name,
            ["image"] = container.Record.ImageName,
            ["comment"] = request.Comment ?? "",
            ["imageID"] = id,
            ["imageRef"] = reference ?? "",
        };
        events.Publish("container", "commit", container.Id, attributes);
        if (reference is not null)
        {
            events.Publish("image", "tag", id, new Dictionary<string, string> { ["name"] = ImageReference.ParseNormalized(reference).FamiliarString() });
        }
        return image;
    }

    /// <summary>"repo[:tag]" or null (an untagged image); Docker's errors for a tag without a repository or a bad name.</summary>
    public static string? Reference(string? repository, string? tag)
    {
        if (string.IsNullOrEmpty(repository))
        {
            return string.IsNullOrEmpty(tag) ? null : throw EngineException.InvalidParameter("tag requires a repository name");
        }
        var text = string.IsNullOrEmpty(tag) ? repository : repository + ":" + tag;
        if (!ImageReference.TryParseNormalized(text, out var parsed))
        {
            throw EngineException.InvalidParameter($"invalid reference format: {text}");
        }
        if (parsed.Digest is not null)
        {
            throw EngineException.InvalidParameter($"invalid reference format: a commit cannot be tagged with a digest: {text}");
        }
        return text;
    }

    /// <summary>
    /// The new image's config, as dockerd builds it: the body's config (or the container's), the
    /// --change instructions applied in order (ENTRYPOINT clears an inherited CMD, ENV replaces a
    /// variable of the same name), then every field still empty taken from the container's config.
    /// </summary>
    public static ImageRuntimeConfig BuildConfig(ContainerConfig container, ContainerConfig? requested, IReadOnlyList<string> changes)
    {
        var config = ToImageConfig(requested ?? container);
        var cmdSet = false;
        foreach (var change in changes.SelectMany(c => c.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            var instruction = change.Split(' ', 2)[0].ToUpperInvariant();
            ImportChanges.Apply(config, change);
            if (instruction == "CMD")
            {
                cmdSet = true;
            }
            else if (instruction == "ENTRYPOINT" && !cmdSet)
            {
                config.Cmd = null;
            }
        }
        config.Env = Deduplicate(config.Env);
        if (requested is not null)
        {
            FillFrom(config, ToImageConfig(container));
        }
        return config;
    }

    private static void FillFrom(ImageRuntimeConfig config, ImageRuntimeConfig from)
    {
        config.User = string.IsNullOrEmpty(config.User) ? from.User : config.User;
        config.WorkingDir = string.IsNullOrEmpty(config.WorkingDir) ? from.WorkingDir : config.WorkingDir;
        config.StopSignal = string.IsNullOrEmpty(config.StopSignal) ? from.StopSignal : config.StopSignal;
        if (config.Cmd is not { Count: > 0 } && config.Entrypoint is not { Count: > 0 })
        {
            config.Cmd = from.Cmd;
            config.Entrypoint = from.Entrypoint;
        }
        config.Env = Deduplicate([.. from.Env ?? [], .. config.Env ?? []]);
        config.Labels = Union(from.Labels, config.Labels);
        config.ExposedPorts = Union(from.ExposedPorts, config.ExposedPorts);
        config.Volumes = Union(from.Volumes, config.Volumes);
        config.Healthcheck ??= from.Healthcheck;
        config.OnBuild ??= from.OnBuild;
        config.Shell ??= from.Shell;
    }

    private static Dictionary<string, T>? Union<T>(Dictionary<string, T>? first, Dictionary<string, T>? second)
    {
        if (first is null || second is null)
        {
            return second ?? first;
        }
        var result = new Dictionary<string, T>(first, StringComparer.Ordinal);
        foreach (var (key, value) in second)
        {
            result[key] = value;
        }
        return result;
    }

    /// <summary>One entry per variable name, at its first position, with its last value.</summary>
    public static List<string>? Deduplicate(List<string>? env)
    {
        if (env is null)
        {
            return null;
        }
        var order = new List<string>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in env)
        {
            var name = entry.Split('=', 2)[0];
            if (!values.ContainsKey(name))
            {
                order.Add(name);
            }
            values[name] = entry;
        }
        return [.. order.Select(n => values[n])];
    }

    private static ImageRuntimeConfig ToImageConfig(ContainerConfig c) => new()
    {
        User = NullIfEmpty(c.User),
        ExposedPorts = c.ExposedPorts?.ToDictionary(p => p.Key, _ => new Oci.EmptyObject(), StringComparer.Ordinal),
        Env = c.Env is null ? null : [.. c.Env],
        Entrypoint = c.Entrypoint is null ? null : [.. c.Entrypoint],
        Cmd = c.Cmd is null ? null : [.. c.Cmd],
        Volumes = c.Volumes?.ToDictionary(p => p.Key, _ => new Oci.EmptyObject(), StringComparer.Ordinal),
        WorkingDir = NullIfEmpty(c.WorkingDir),
        Labels = c.Labels is null ? null : new Dictionary<string, string>(c.Labels, StringComparer.Ordinal),
        StopSignal = NullIfEmpty(c.StopSignal),
        ArgsEscaped = c.ArgsEscaped,
        OnBuild = c.OnBuild is null ? null : [.. c.OnBuild],
        Shell = c.Shell is null ? null : [.. c.Shell],
        StopTimeout = c.StopTimeout,
        Healthcheck = c.Healthcheck is { } hc ? new ImageHealthcheck
        {
            Test = hc.Test,
            Interval = hc.Interval == 0 ? null : hc.Interval,
            Timeout = hc.Timeout == 0 ? null : hc.Timeout,
            StartPeriod = hc.StartPeriod == 0 ? null : hc.StartPeriod,
            StartInterval = hc.StartInterval == 0 ? null : hc.StartInterval,
            Retries = hc.Retries == 0 ? null : hc.Retries,
        } : null,
    };

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
