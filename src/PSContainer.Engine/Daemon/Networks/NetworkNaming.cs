using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace PSContainer.Engine.Daemon.Networks;

/// <summary>
/// Names of the host objects an engine makes, all derived from one prefix (--network-prefix,
/// default "psc") so parallel engines and a dockerd beside them never collide: the default
/// bridge "psc0", user bridges "psc-" + the network id cut to 15 characters, host veth ends
/// "pscv…", iptables chains "PSC", "PSC-FORWARD", "PSC-ISOLATION-STAGE-1/2".
/// </summary>
public sealed partial class NetworkNaming
{
    public const string DefaultPrefix = "psc";

    /// <summary>The Docker option that names a network's bridge.</summary>
    public const string BridgeNameOption = "com.docker.network.bridge.name";

    public const string MtuOption = "com.docker.network.driver.mtu";

    public NetworkNaming(string prefix)
    {
        if (!ValidPrefix().IsMatch(prefix))
        {
            throw new ArgumentException($"invalid network prefix \"{prefix}\": 1 to 8 lower-case letters or digits, starting with a letter");
        }
        Prefix = prefix;
    }

    public string Prefix { get; }

    public string DefaultBridge => Prefix + "0";

    public string UserBridge(string networkId) => Prefix + "-" + networkId[..(15 - Prefix.Length - 1)];

    /// <summary>A fresh name for the host end of a veth pair.</summary>
    public string NewHostVeth() => Prefix + "v" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant()[..(15 - Prefix.Length - 1)];

    /// <summary>True for links this engine made (bridges and veths), for cleanup.</summary>
    public bool Owns(string linkName) => linkName == DefaultBridge || linkName.StartsWith(Prefix + "-", StringComparison.Ordinal) || linkName.StartsWith(Prefix + "v", StringComparison.Ordinal);

    public static string NewId() => Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();

    [GeneratedRegex("^[a-z][a-z0-9]{0,7}$")]
    private static partial Regex ValidPrefix();

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")]
    public static partial Regex ValidNetworkName();
}
