using System.Globalization;

namespace PSContainer;

/// <summary>A container port and, when published, the host address and port it is reachable on.</summary>
public sealed class ContainerPort
{
    public ContainerPort(int privatePort, string protocol, string? hostIP = null, int? publicPort = null)
    {
        PrivatePort = privatePort;
        Protocol = protocol;
        HostIP = hostIP;
        PublicPort = publicPort;
    }

    public int PrivatePort { get; }

    public string Protocol { get; }

    public string? HostIP { get; }

    public int? PublicPort { get; }

    /// <summary>As docker ps shows it: <c>0.0.0.0:8080->80/tcp</c>, or <c>80/tcp</c> when not published.</summary>
    public override string ToString() => PublicPort is { } published
        ? string.Create(CultureInfo.InvariantCulture, $"{FormatHost(HostIP)}:{published}->{PrivatePort}/{Protocol}")
        : string.Create(CultureInfo.InvariantCulture, $"{PrivatePort}/{Protocol}");

    private static string FormatHost(string? host) =>
        string.IsNullOrEmpty(host) ? "0.0.0.0" : host.Contains(':', StringComparison.Ordinal) ? "[" + host + "]" : host;
}
