using System.Globalization;

namespace PSContainer.Runc.Container;

/// <summary>What /proc/PID/stat says about a process: alive, and since when (to detect a reused pid).</summary>
public static class ProcessInfo
{
    /// <summary>The start time (field 22) and state (field 3), or null when there is no such process.</summary>
    public static (ulong StartTime, char State)? Read(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return null;
        }
        // The command name (field 2) may hold spaces and parentheses: parse after the last ')'.
        var close = text.LastIndexOf(')');
        var fields = text[(close + 2)..].Split(' ');
        return (ulong.Parse(fields[19], CultureInfo.InvariantCulture), fields[0][0]);
    }

    /// <summary>True when <paramref name="pid"/> runs and is the process that started at <paramref name="startTime"/>.</summary>
    public static bool IsAlive(int pid, ulong startTime) =>
        pid > 0 && Read(pid) is { } info && info.State is not 'Z' and not 'X' && (startTime == 0 || info.StartTime == startTime);
}
