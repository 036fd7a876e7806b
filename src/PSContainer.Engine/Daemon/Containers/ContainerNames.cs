using System.Security.Cryptography;
using System.Text.RegularExpressions;
using PSContainer.Engine.Errors;

namespace PSContainer.Engine.Daemon.Containers;

/// <summary>Docker's rules for container names and ids.</summary>
public static partial class ContainerNames
{
    private static readonly string[] Adjectives =
    [
        "admiring", "bold", "brave", "calm", "clever", "dazzling", "eager", "elated", "epic", "focused",
        "gallant", "gifted", "happy", "hopeful", "jolly", "keen", "kind", "loving", "lucid", "modest",
        "nifty", "optimistic", "peaceful", "quirky", "relaxed", "serene", "sharp", "stoic", "sweet",
        "tender", "trusting", "upbeat", "vibrant", "wizardly", "youthful", "zealous",
    ];

    // Scientists and engineers, as Docker does; our own selection.
    private static readonly string[] Surnames =
    [
        "agnesi", "babbage", "bardeen", "boole", "curie", "darwin", "dijkstra", "einstein", "euler",
        "faraday", "fermat", "feynman", "galileo", "gauss", "hopper", "hypatia", "kepler", "knuth",
        "lamport", "lovelace", "maxwell", "meitner", "newton", "noether", "pascal", "ritchie", "shannon",
        "thompson", "torvalds", "turing", "wozniak", "yonath",
    ];

    [GeneratedRegex("^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$")]
    private static partial Regex ValidName();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex FullId();

    /// <summary>The name without its leading slash; InvalidParameter when it breaks Docker's rule.</summary>
    public static string Normalize(string name)
    {
        if (!ValidName().IsMatch(name))
        {
            throw EngineException.InvalidParameter($"Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        }
        return name.TrimStart('/');
    }

    public static bool IsFullId(string value) => FullId().IsMatch(value);

    /// <summary>64 random hex digits; never all digits (Docker avoids ids a parser could take for numbers).</summary>
    public static string NewId()
    {
        while (true)
        {
            var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            if (!id[..12].All(char.IsAsciiDigit))
            {
                return id;
            }
        }
    }

    /// <summary>"adjective_surname", with a number appended after the first attempts collide.</summary>
    public static string Generate(Func<string, bool> taken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var name = $"{Adjectives[RandomNumberGenerator.GetInt32(Adjectives.Length)]}_{Surnames[RandomNumberGenerator.GetInt32(Surnames.Length)]}";
            if (attempt > 5)
            {
                name += RandomNumberGenerator.GetInt32(10, 100).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            if (!taken(name))
            {
                return name;
            }
        }
    }
}
