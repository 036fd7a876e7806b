using System.Globalization;
using PSContainer.Engine.Core.Errdefs;

namespace PSContainer.Engine.Core.Volumes;

/// <summary>
/// The local driver's options, as Docker's: none (a plain directory), or "type", "device" and
/// "o" for a file system mounted on the volume's _data directory while containers use it —
/// <c>type=tmpfs,device=tmpfs,o=size=64m</c>, <c>type=none,o=bind,device=/host/path</c>, or any
/// file system the kernel knows. Validated at create, so a bad option never makes a volume that
/// fails later.
/// </summary>
public sealed record LocalVolumeOptions(string Type, string Device, MountOptions Mount)
{
    private static readonly string[] Keys = ["type", "device", "o", "size"];

    /// <summary>Which options each option needs alongside it (Docker's rules).</summary>
    private static readonly (string Option, string[] Needs)[] Requires =
    [
        ("device", ["type"]),
        ("type", ["device"]),
        ("o", ["device", "type"]),
    ];

    /// <summary>The mount to make at first use, or null for a plain directory. Throws InvalidArgument.</summary>
    public static LocalVolumeOptions? Parse(IReadOnlyDictionary<string, string>? options, Func<string, bool>? fileSystemKnown = null)
    {
        if (options is null || options.Count == 0)
        {
            return null;
        }
        foreach (var key in options.Keys.Order(StringComparer.Ordinal))
        {
            if (!Keys.Contains(key))
            {
                throw CoreException.InvalidArgument($"invalid option: \"{key}\" (the local driver accepts type, device and o)");
            }
        }
        if (options.ContainsKey("size"))
        {
            throw CoreException.InvalidArgument("invalid option: \"size\": quota size requested but the volumes directory has no project quota support");
        }
        foreach (var (option, needs) in Requires)
        {
            if (!options.ContainsKey(option))
            {
                continue;
            }
            foreach (var needed in needs.Where(n => !options.ContainsKey(n)))
            {
                throw CoreException.InvalidArgument($"missing required option: \"{needed}\" (\"{option}\" needs it)");
            }
        }
        var type = options["type"];
        var device = options["device"];
        if (type.Length == 0 || device.Length == 0)
        {
            throw CoreException.InvalidArgument("invalid option: \"type\" and \"device\" must not be empty");
        }
        var mount = MountOptions.Parse(options.GetValueOrDefault("o"));
        if (mount.IsBind)
        {
            if (!device.StartsWith('/'))
            {
                throw CoreException.InvalidArgument($"invalid option: bind device \"{device}\" is not an absolute path");
            }
            if (!Directory.Exists(device))
            {
                throw CoreException.InvalidArgument($"invalid option: bind device path does not exist: {device}");
            }
        }
        else if (type != "none" && !(fileSystemKnown ?? KernelKnows)(type))
        {
            throw CoreException.InvalidArgument($"invalid option: file system type \"{type}\" is not supported by the kernel (see /proc/filesystems)");
        }
        else if (type == "none")
        {
            throw CoreException.InvalidArgument("invalid option: type \"none\" needs o=bind (a bind-backed volume)");
        }
        if (type == "tmpfs")
        {
            ValidateTmpfs(mount);
        }
        return new LocalVolumeOptions(type, device, mount);
    }

    /// <summary>tmpfs sizes ("64m", "50%", "1048576") and an octal mode: checked here rather than by a failed mount later.</summary>
    private static void ValidateTmpfs(MountOptions mount)
    {
        foreach (var word in mount.Data.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = word.Split('=', 2);
            var value = kv.Length == 2 ? kv[1] : "";
            var ok = kv[0] switch
            {
                "size" => IsTmpfsSize(value, allowPercent: true),
                "nr_blocks" or "nr_inodes" => IsTmpfsSize(value, allowPercent: kv[0] == "nr_inodes"),
                "mode" => value.Length > 0 && value.All(c => c is >= '0' and <= '7'),
                "uid" or "gid" => uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _),
                "huge" or "mpol" or "inode32" or "inode64" or "noswap" or "quota" or "usrquota" or "grpquota" => true,
                _ => false,
            };
            if (!ok)
            {
                throw CoreException.InvalidArgument($"invalid option: tmpfs option \"{word}\" in o is not valid");
            }
        }
    }

    private static bool IsTmpfsSize(string value, bool allowPercent)
    {
        if (value.Length == 0)
        {
            return false;
        }
        var number = value;
        if (allowPercent && value.EndsWith('%'))
        {
            number = value[..^1];
        }
        else if ("kKmMgGtTpPeE".Contains(value[^1], StringComparison.Ordinal))
        {
            number = value[..^1];
        }
        return number.Length > 0 && number.All(char.IsAsciiDigit);
    }

    private static bool KernelKnows(string type)
    {
        try
        {
            return File.ReadLines("/proc/filesystems").Any(line => line.Split('\t').LastOrDefault()?.Trim() == type);
        }
        catch (IOException)
        {
            return true; // cannot tell: let the mount at first use report it
        }
    }
}
