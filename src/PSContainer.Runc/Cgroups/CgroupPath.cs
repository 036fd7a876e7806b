namespace PSContainer.Runc.Cgroups;

/// <summary>Turns the OCI <c>linux.cgroupsPath</c> into a cgroup path relative to the hierarchy roots.</summary>
public static class CgroupPath
{
    /// <summary>
    /// <list type="bullet">
    /// <item>absolute ("/psc/web") → used as is, relative to each hierarchy's root;</item>
    /// <item>relative ("psc/web") → placed under <paramref name="defaultParent"/>;</item>
    /// <item>empty/null → <paramref name="defaultParent"/>/<paramref name="containerId"/> ("/&lt;id&gt;" by default);</item>
    /// <item>"slice:prefix:name" → systemd form: an error, because the systemd cgroup driver is not supported.</item>
    /// </list>
    /// The result is cleaned lexically ("." and ".." resolved, duplicate slashes dropped) so it can
    /// never climb above the hierarchy root.
    /// </summary>
    public static string Resolve(string? cgroupsPath, string containerId, string defaultParent = "/")
    {
        if (string.IsNullOrEmpty(containerId) && string.IsNullOrEmpty(cgroupsPath))
        {
            throw new CgroupConfigException("linux.cgroupsPath is empty and there is no container id to name the cgroup after");
        }
        if (cgroupsPath is not null && cgroupsPath.Contains('\0', StringComparison.Ordinal))
        {
            throw new CgroupConfigException("linux.cgroupsPath: contains a NUL character");
        }
        if (cgroupsPath is not null && IsSystemdForm(cgroupsPath))
        {
            throw new CgroupConfigException(
                $"linux.cgroupsPath \"{cgroupsPath}\" is in the systemd form slice:prefix:name, which needs the systemd cgroup driver; " +
                "psc-runc only has the cgroupfs driver: use a path such as /psc/<id>");
        }
        var path = string.IsNullOrEmpty(cgroupsPath)
            ? defaultParent + "/" + containerId
            : cgroupsPath.StartsWith('/') ? cgroupsPath : defaultParent + "/" + cgroupsPath;
        return Clean(path);
    }

    /// <summary>"a:b:c" with no slash before the first colon is systemd's slice:prefix:name.</summary>
    public static bool IsSystemdForm(string cgroupsPath)
    {
        var parts = cgroupsPath.Split(':');
        return parts.Length == 3 && !parts[0].Contains('/', StringComparison.Ordinal);
    }

    /// <summary>Lexical cleaning rooted at "/": "/a/./b/../c//" → "/a/c"; "/../x" → "/x".</summary>
    public static string Clean(string path)
    {
        var parts = new List<string>();
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
            {
                continue;
            }
            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
                continue;
            }
            parts.Add(part);
        }
        return "/" + string.Join('/', parts);
    }
}
