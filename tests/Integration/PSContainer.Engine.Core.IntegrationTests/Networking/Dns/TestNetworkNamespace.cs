using System.Diagnostics;

namespace PSContainer.Engine.Core.IntegrationTests.Networking.Dns;

/// <summary>
/// A network namespace of the test's own, made with `ip netns add psc-dnstest-RANDOM` (pinned at
/// /run/netns/NAME) with its loopback up; Dispose deletes it, also after a failed test.
/// </summary>
internal sealed class TestNetworkNamespace : IDisposable
{
    public TestNetworkNamespace()
    {
        Name = "psc-dnstest-" + Guid.NewGuid().ToString("N")[..10];
        Ip("netns", "add", Name);
        try
        {
            Ip("-n", Name, "link", "set", "lo", "up");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Name { get; }

    public string Path => "/run/netns/" + Name;

    private static void Ip(params string[] arguments)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var ip = Process.Start(info) ?? throw new InvalidOperationException("cannot run ip");
        var stderr = ip.StandardError.ReadToEnd();
        ip.WaitForExit();
        if (ip.ExitCode != 0)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', arguments)}: exit {ip.ExitCode}: {stderr}");
        }
    }

    public void Dispose()
    {
        if (File.Exists(Path))
        {
            Ip("netns", "delete", Name);
        }
    }
}
