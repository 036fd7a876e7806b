using System.Globalization;

namespace PSContainer.Runc.Cli;

/// <summary>Signal names and numbers for `kill` (x86_64/arm64 numbering).</summary>
public static class Signals
{
    private static readonly Dictionary<string, int> ByName = new(StringComparer.Ordinal)
    {
        ["HUP"] = 1, ["INT"] = 2, ["QUIT"] = 3, ["ILL"] = 4, ["TRAP"] = 5, ["ABRT"] = 6, ["IOT"] = 6, ["BUS"] = 7,
        ["FPE"] = 8, ["KILL"] = 9, ["USR1"] = 10, ["SEGV"] = 11, ["USR2"] = 12, ["PIPE"] = 13, ["ALRM"] = 14,
        ["TERM"] = 15, ["STKFLT"] = 16, ["CHLD"] = 17, ["CONT"] = 18, ["STOP"] = 19, ["TSTP"] = 20, ["TTIN"] = 21,
        ["TTOU"] = 22, ["URG"] = 23, ["XCPU"] = 24, ["XFSZ"] = 25, ["VTALRM"] = 26, ["PROF"] = 27, ["WINCH"] = 28,
        ["IO"] = 29, ["POLL"] = 29, ["PWR"] = 30, ["SYS"] = 31,
    };

    /// <summary>"KILL", "SIGKILL", "kill" or "9" → 9; also SIGRTMIN+n / RTMAX-n.</summary>
    public static int Parse(string text)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is > 0 and < 65)
        {
            return number;
        }
        var name = text.ToUpperInvariant();
        if (name.StartsWith("SIG", StringComparison.Ordinal))
        {
            name = name[3..];
        }
        if (ByName.TryGetValue(name, out var n))
        {
            return n;
        }
        if (name.StartsWith("RTMIN", StringComparison.Ordinal) && Offset(name[5..]) is { } plus)
        {
            return 34 + plus;
        }
        if (name.StartsWith("RTMAX", StringComparison.Ordinal) && Offset(name[5..]) is { } minus)
        {
            return 64 - minus;
        }
        throw new UsageException($"unknown signal \"{text}\"");
    }

    private static int? Offset(string rest) =>
        rest.Length == 0 ? 0
        : rest[0] is '+' or '-' && int.TryParse(rest[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var k) && k <= 30 ? k
        : null;
}
