using System.Globalization;

namespace PSContainer.Engine.Daemon.Containers;

/// <summary>
/// docker top's UID column: dockerd runs the host's ps, which prints the host's user name for a
/// uid when /etc/passwd has one ("root"), and the number otherwise.
/// </summary>
public static class HostUserNames
{
    public static string For(string uid, string passwdPath = "/etc/passwd")
    {
        if (!File.Exists(passwdPath) || !uint.TryParse(uid, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            return uid;
        }
        foreach (var line in File.ReadLines(passwdPath))
        {
            var fields = line.Split(':');
            if (fields.Length >= 3 && fields[2] == uid && fields[0].Length > 0)
            {
                return fields[0];
            }
        }
        return uid;
    }
}
