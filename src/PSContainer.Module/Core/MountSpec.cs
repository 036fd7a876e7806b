using System.Collections;
using System.Globalization;

namespace PSContainer.Module.Core;

/// <summary>
/// Parses -Mount in docker's --mount form ("type=volume,source=data,target=/data,readonly") or as
/// a hashtable with the same keys (@{Type = 'tmpfs'; Target = '/tmp'; Size = 64MB}).
/// </summary>
public static class MountSpec
{
    public static Api.Mount Parse(object value) => value switch
    {
        string text => FromPairs(ParseText(text), text),
        IDictionary table => FromPairs(table.Cast<DictionaryEntry>()
            .Select(e => (Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? "", Convert.ToString(e.Value, CultureInfo.InvariantCulture))), "hashtable"),
        null => throw new ArgumentNullException(nameof(value)),
        _ => throw new ArgumentException($"-Mount takes 'type=...,target=...' strings or hashtables, not a {value.GetType().Name}."),
    };

    private static IEnumerable<(string, string?)> ParseText(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(part =>
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            return equals < 0 ? (part, (string?)null) : (part[..equals], part[(equals + 1)..]);
        });

    private static Api.Mount FromPairs(IEnumerable<(string Key, string? Value)> pairs, string shown)
    {
        var mount = new Api.Mount { Type = "volume" };
        foreach (var (rawKey, value) in pairs)
        {
            switch (rawKey.ToLowerInvariant())
            {
                case "type":
                    mount.Type = (value ?? "").ToLowerInvariant();
                    if (mount.Type is not ("volume" or "bind" or "tmpfs"))
                    {
                        throw new ArgumentException($"Mount '{shown}': type '{value}' is not volume, bind or tmpfs.");
                    }
                    break;
                case "source" or "src":
                    mount.Source = value;
                    break;
                case "target" or "destination" or "dst":
                    mount.Target = value;
                    break;
                case "readonly" or "ro":
                    mount.ReadOnly = value is null || IsTrue(value, shown);
                    break;
                case "size" or "tmpfs-size":
                    mount.TmpfsOptions ??= new Api.TmpfsOptions();
                    mount.TmpfsOptions.SizeBytes = SizeParser.Parse(value ?? "", "Mount size");
                    break;
                case "mode" or "tmpfs-mode":
                    mount.TmpfsOptions ??= new Api.TmpfsOptions();
                    try
                    {
                        mount.TmpfsOptions.Mode = Convert.ToUInt32(value, 8);
                    }
                    catch (FormatException)
                    {
                        throw new ArgumentException($"Mount '{shown}': mode '{value}' is not an octal number.");
                    }
                    break;
                case "bind-propagation":
                    mount.BindOptions ??= new Api.BindOptions();
                    mount.BindOptions.Propagation = value;
                    break;
                case "volume-nocopy":
                    mount.VolumeOptions ??= new Api.VolumeOptions();
                    mount.VolumeOptions.NoCopy = value is null || IsTrue(value, shown);
                    break;
                default:
                    throw new ArgumentException($"Mount '{shown}': unknown key '{rawKey}' (type, source, target, readonly, size, mode, bind-propagation, volume-nocopy).");
            }
        }
        if (string.IsNullOrEmpty(mount.Target) || !mount.Target.StartsWith('/'))
        {
            throw new ArgumentException($"Mount '{shown}' needs an absolute target path (target=/data).");
        }
        if (mount.Type == "bind" && (string.IsNullOrEmpty(mount.Source) || !mount.Source.StartsWith('/')))
        {
            throw new ArgumentException($"Mount '{shown}': a bind mount needs an absolute source path on the host.");
        }
        if (mount.Type == "tmpfs" && !string.IsNullOrEmpty(mount.Source))
        {
            throw new ArgumentException($"Mount '{shown}': a tmpfs mount takes no source.");
        }
        return mount;
    }

    private static bool IsTrue(string value, string shown) => value.ToLowerInvariant() switch
    {
        "1" or "true" or "yes" => true,
        "0" or "false" or "no" => false,
        _ => throw new ArgumentException($"Mount '{shown}': '{value}' is not true or false."),
    };
}
