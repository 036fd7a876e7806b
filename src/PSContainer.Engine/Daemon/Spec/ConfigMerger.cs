using PSContainer.Api;
using PSContainer.Engine.Errors;
using PSContainer.Oci;
using ApiEmpty = PSContainer.Api.EmptyObject;

namespace PSContainer.Engine.Daemon.Spec;

/// <summary>
/// Merges a create request with its image's config the way Docker does at create time: the
/// request wins field by field, Env and Labels merge by key, an Entrypoint given in the request
/// drops the image's Cmd, and Entrypoint [""] means "no entrypoint".
/// </summary>
public static class ConfigMerger
{
    public static ContainerConfig Merge(ContainerCreateRequest request, ImageRuntimeConfig? image, string imageName)
    {
        image ??= new ImageRuntimeConfig();
        var entrypointGiven = request.Entrypoint is not null;
        var entrypoint = entrypointGiven ? request.Entrypoint! : image.Entrypoint;
        if (entrypoint is [""])
        {
            entrypoint = null;
        }
        var cmd = request.Cmd is { Count: > 0 } ? request.Cmd : entrypointGiven ? null : image.Cmd;

        return new ContainerConfig
        {
            Hostname = request.Hostname,
            Domainname = request.Domainname,
            User = string.IsNullOrEmpty(request.User) ? image.User ?? "" : request.User,
            AttachStdin = request.AttachStdin,
            AttachStdout = request.AttachStdout,
            AttachStderr = request.AttachStderr,
            ExposedPorts = MergeSet(image.ExposedPorts?.Keys, request.ExposedPorts?.Keys),
            Tty = request.Tty,
            OpenStdin = request.OpenStdin,
            StdinOnce = request.StdinOnce,
            Env = MergeEnv(image.Env, request.Env),
            Cmd = cmd is null ? null : [.. cmd],
            Healthcheck = MergeHealthcheck(request.Healthcheck, image.Healthcheck),
            Image = imageName,
            Volumes = MergeSet(image.Volumes?.Keys, request.Volumes?.Keys),
            WorkingDir = string.IsNullOrEmpty(request.WorkingDir) ? image.WorkingDir ?? "" : request.WorkingDir,
            Entrypoint = entrypoint is null ? null : [.. entrypoint],
            NetworkDisabled = request.NetworkDisabled,
            MacAddress = request.MacAddress,
            OnBuild = image.OnBuild,
            Labels = MergeLabels(image.Labels, request.Labels),
            StopSignal = request.StopSignal ?? image.StopSignal,
            StopTimeout = request.StopTimeout ?? image.StopTimeout,
            Shell = request.Shell ?? image.Shell,
        };
    }

    /// <summary>Entrypoint followed by Cmd; BadParameter when both are empty (Docker: "No command specified").</summary>
    public static (string Path, List<string> Args) Command(ContainerConfig config)
    {
        var all = new List<string>();
        all.AddRange(config.Entrypoint ?? []);
        all.AddRange(config.Cmd ?? []);
        if (all.Count == 0 || all[0].Length == 0)
        {
            throw EngineException.InvalidParameter("No command specified");
        }
        return (all[0], all[1..]);
    }

    /// <summary>Image variables first, then the request's; a later NAME=... replaces an earlier one.</summary>
    public static List<string> MergeEnv(IEnumerable<string>? image, IEnumerable<string>? request)
    {
        var result = new List<string>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in (image ?? []).Concat(request ?? []))
        {
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? entry : entry[..eq];
            if (key.Length == 0)
            {
                throw EngineException.InvalidParameter($"invalid environment variable: {entry}");
            }
            if (index.TryGetValue(key, out var at))
            {
                result[at] = entry;
            }
            else
            {
                index[key] = result.Count;
                result.Add(entry);
            }
        }
        return result;
    }

    private static Dictionary<string, ApiEmpty>? MergeSet(IEnumerable<string>? image, IEnumerable<string>? request)
    {
        var keys = (image ?? []).Concat(request ?? []).Distinct(StringComparer.Ordinal).ToList();
        return keys.Count == 0 ? null : keys.ToDictionary(k => k, _ => new ApiEmpty(), StringComparer.Ordinal);
    }

    private static Dictionary<string, string> MergeLabels(Dictionary<string, string>? image, Dictionary<string, string>? request)
    {
        var result = new Dictionary<string, string>(image ?? [], StringComparer.Ordinal);
        foreach (var (key, value) in request ?? [])
        {
            result[key] = value;
        }
        return result;
    }

    private static HealthConfig? MergeHealthcheck(HealthConfig? request, ImageHealthcheck? image)
    {
        if (request is null && image is null)
        {
            return null;
        }
        var merged = new HealthConfig
        {
            Test = request?.Test is { Count: > 0 } ? request.Test : image?.Test,
            Interval = request?.Interval is > 0 ? request.Interval : image?.Interval ?? 0,
            Timeout = request?.Timeout is > 0 ? request.Timeout : image?.Timeout ?? 0,
            StartPeriod = request?.StartPeriod is > 0 ? request.StartPeriod : image?.StartPeriod ?? 0,
            StartInterval = request?.StartInterval is > 0 ? request.StartInterval : image?.StartInterval ?? 0,
            Retries = request?.Retries is > 0 ? request.Retries : image?.Retries ?? 0,
        };
        return merged;
    }
}
