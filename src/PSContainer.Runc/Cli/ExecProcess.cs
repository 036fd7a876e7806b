using System.Globalization;
using PSContainer.Oci;

namespace PSContainer.Runc.Cli;

/// <summary>The process of `exec`: from --process FILE, or from the container's process with the flags applied.</summary>
public static class ExecProcess
{
    public static OciProcess From(ParsedArgs a, Spec config)
    {
        if (a.Value("process") is { } file)
        {
            try
            {
                return SpecReader.ReadProcess(File.ReadAllBytes(file), file);
            }
            catch (InvalidSpecException e)
            {
                throw new RuncException(e.Message);
            }
            catch (IOException e)
            {
                throw new RuncException($"read {file}: {e.Message}");
            }
        }
        var args = a.Positional.Skip(1).ToList();
        if (args.Count == 0)
        {
            throw new UsageException("exec: a command to run is required (or --process FILE)");
        }
        var template = config.Process ?? new OciProcess();
        var process = new OciProcess
        {
            Args = args,
            Env = [.. template.Env ?? [], .. a.Values("env")],
            Cwd = a.Value("cwd") ?? template.Cwd,
            Terminal = a.Has("tty"),
            User = new User { Uid = template.User.Uid, Gid = template.User.Gid, AdditionalGids = template.User.AdditionalGids, Umask = template.User.Umask },
            Capabilities = Copy(template.Capabilities),
            NoNewPrivileges = a.Has("no-new-privs") || template.NoNewPrivileges == true,
            Rlimits = template.Rlimits,
            ApparmorProfile = a.Value("apparmor") ?? template.ApparmorProfile,
            SelinuxLabel = a.Value("process-label") ?? template.SelinuxLabel,
        };
        if (a.Value("user") is { } user)
        {
            var parts = user.Split(':');
            process.User.Uid = ParseId(parts[0], "--user");
            process.User.Gid = parts.Length > 1 ? ParseId(parts[1], "--user") : 0;
        }
        if (a.Values("additional-gids") is { Count: > 0 } gids)
        {
            process.User.AdditionalGids = gids.SelectMany(g => g.Split(',')).Select(g => ParseId(g, "--additional-gids")).ToList();
        }
        foreach (var cap in a.Values("cap"))
        {
            var caps = process.Capabilities ??= new LinuxCapabilities();
            foreach (var set in new[] { caps.Bounding ??= [], caps.Effective ??= [], caps.Permitted ??= [] })
            {
                if (!set.Contains(cap))
                {
                    set.Add(cap);
                }
            }
        }
        return process;
    }

    private static uint ParseId(string s, string flag) =>
        uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw new UsageException($"{flag}: \"{s}\" is not a numeric id (psc-runc takes UID[:GID])");

    private static LinuxCapabilities? Copy(LinuxCapabilities? c) => c is null ? null : new LinuxCapabilities
    {
        Bounding = c.Bounding?.ToList(), Effective = c.Effective?.ToList(), Inheritable = c.Inheritable?.ToList(),
        Permitted = c.Permitted?.ToList(), Ambient = c.Ambient?.ToList(),
    };
}
