using System.Security.Cryptography;
using System.Text.RegularExpressions;
using PSContainer.Engine.Core.Errdefs;

namespace PSContainer.Engine.Core.Volumes;

/// <summary>Docker's rules for local volume names, and the names of anonymous volumes.</summary>
public static partial class VolumeNames
{
    /// <summary>The label Docker puts on anonymous volumes; `volume prune` removes only these by default.</summary>
    public const string AnonymousLabel = "com.docker.volume.anonymous";

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]+$")]
    private static partial Regex ValidName();

    public static bool IsValid(string name) => ValidName().IsMatch(name);

    /// <summary>Throws InvalidArgument naming the rule when <paramref name="name"/> breaks it.</summary>
    public static void Validate(string name)
    {
        if (!IsValid(name))
        {
            throw CoreException.InvalidArgument(
                $"\"{name}\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed (and at least two characters). If you intended to pass a host directory, use absolute path");
        }
    }

    /// <summary>64 random hex digits, like Docker's anonymous volumes.</summary>
    public static string NewAnonymous() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
}
