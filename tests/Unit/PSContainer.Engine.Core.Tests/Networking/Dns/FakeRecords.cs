using System.Net;
using PSContainer.Engine.Core.Networking.Dns;

namespace PSContainer.Engine.Core.Tests.Networking.Dns;

/// <summary>Names per asking container, as the daemon's network service would answer them.</summary>
internal sealed class FakeRecords : IDnsRecordSource
{
    private readonly Dictionary<(string Asker, string Name), List<IPAddress>> _names = [];
    private readonly Dictionary<(string Asker, IPAddress Address), string> _reverse = [];

    public List<string> Asked { get; } = [];

    public FakeRecords Add(string asker, string name, params string[] addresses)
    {
        var list = _names.TryGetValue((asker, name), out var existing) ? existing : _names[(asker, name)] = [];
        foreach (var a in addresses)
        {
            var address = IPAddress.Parse(a);
            list.Add(address);
            _reverse[(asker, address)] = name;
        }
        return this;
    }

    public IReadOnlyList<IPAddress> Lookup(string askingContainerId, string name)
    {
        lock (Asked)
        {
            Asked.Add(name);
        }
        return _names.TryGetValue((askingContainerId, name), out var list) ? list : [];
    }

    public string? ReverseLookup(string askingContainerId, IPAddress address) =>
        _reverse.TryGetValue((askingContainerId, address), out var name) ? name : null;
}

/// <summary>A forwarder that records what it was asked and answers with a canned response.</summary>
internal sealed class FakeForwarder(bool hasUpstreams = true) : IDnsForwarder
{
    public List<(byte[] Query, bool OverTcp)> Forwarded { get; } = [];

    /// <summary>Builds the upstream's answer from the query; null means "no upstream answered".</summary>
    public Func<byte[], byte[]?> Answer { get; set; } = query =>
        DnsResponseWriter.Write(DnsQueryReader.Read(query), DnsResponseCode.NoError,
            [DnsAnswer.For(IPAddress.Parse("192.0.2.80"), 30)], authoritative: false, recursionAvailable: true, DnsWire.TcpLimit);

    public bool HasUpstreams => hasUpstreams;

    public ValueTask<byte[]?> ForwardAsync(ReadOnlyMemory<byte> query, bool overTcp, CancellationToken cancellationToken)
    {
        Forwarded.Add((query.ToArray(), overTcp));
        return ValueTask.FromResult(Answer(query.ToArray()));
    }
}
