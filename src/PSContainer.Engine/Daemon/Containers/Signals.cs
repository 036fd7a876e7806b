using System.Globalization;
using PSContainer.Engine.Errors;

namespace PSContainer.Engine.Daemon.Containers;

/// <summary>Signal names and numbers as Docker accepts them ("SIGTERM", "TERM", "15"); Linux x86-64 numbering.</summary>
public static class Signals
{
    public const int SIGKILL = 9, SIGTERM = 15;

    private static readonly Dictionary<string, int> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["HUP"] = 1, ["INT"] = 2, ["QUIT"] = 3, ["ILL"] = 4, ["TRAP"] = 5, ["ABRT"] = 6, ["IOT"] = 6, ["BUS"] = 7,
        ["FPE"] = 8, ["KILL"] = 9, ["USR1"] = 10, ["SEGV"] = 11, ["USR2"] = 12, ["PIPE"] = 13, ["ALRM"] = 14,
        ["TERM"] = 15, ["STKFLT"] = 16, ["CHLD"] = 17, ["CONT"] = 18, ["STOP"] = 19, ["TSTP"] = 20, ["TTIN"] = 21,
        ["TTOU"] = 22, ["URG"] = 23, ["XCPU"] = 24, ["XFSZ"] = 25, ["VTALRM"] = 26, ["PROF"] = 27, ["WINCH"] = 28,
        ["IO"] = 29, ["POLL"] = 29, ["PWR"] = 30, ["SYS"] = 31,
    };

    /// <summary>The signal number; InvalidParameter for anything else.</summary>
    public static int Parse(string? value, int defaultSignal = SIGKILL)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return defaultSignal;
        }
        var text = value.Trim();
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return number is >= 1 and <= 64 ? number : throw EngineException.InvalidParameter($"Invalid signal: {value}");
        }
        var name = text.StartsWith("SIG", StringComparison.OrdinalIgnoreCase) ? text[3..] : text;
        if (ByName.TryGetValue(name, out number))
        {
            return number;
        }
        if (name.StartsWith("RTMIN", StringComparison.OrdinalIgnoreCase))
        {
            var offset = name.Length == 5 ? 0 : int.TryParse(name[5..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var o) ? o : -1;
            if (offset is >= 0 and <= 30)
            {
                return 34 + offset;
            }
        }
        throw EngineException.InvalidParameter($"Invalid signal: {value}");
    }
}
