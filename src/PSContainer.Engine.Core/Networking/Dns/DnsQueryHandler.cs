using System.Net;
using System.Net.Sockets;

namespace PSContainer.Engine.Core.Networking.Dns;

/// <summary>
/// What the embedded server does with one query from one container, independent of sockets:
/// container names (A, AAAA, PTR) from the <see cref="IDnsRecordSource"/>, everything else to the
/// <see cref="IDnsForwarder"/>. Returns the response bytes, or null to drop the message (a response
/// sent to us, or fewer bytes than a header).
/// </summary>
/// <remarks>
/// Choices, each Docker's unless said otherwise: a known name without an address of the asked
/// family is NOERROR with no answers (NODATA), so a client asking AAAA then A is not told the name
/// does not exist; local answers carry a TTL of 600 and come in random order (round robin across
/// containers sharing an alias); every name that is not a container here, single-label ones
/// included, goes to the upstream resolvers (a host resolver may know short names, e.g. from its
/// own search domains or hosts file).
/// </remarks>
public sealed class DnsQueryHandler(string containerId, IDnsRecordSource records, IDnsForwarder forwarder)
{
    public const uint LocalTtl = 600;

    public async ValueTask<byte[]?> HandleAsync(ReadOnlyMemory<byte> message, bool overTcp, CancellationToken cancellationToken)
    {
        if (DnsQueryReader.ReadHeader(message.Span) is not var (id, flags) || (flags & DnsWire.FlagResponse) != 0)
        {
            return null;
        }
        DnsQuery query;
        try
        {
            query = DnsQueryReader.Read(message.Span);
        }
        catch (DnsFormatException)
        {
            return DnsResponseWriter.WriteHeaderOnly(id, flags, DnsResponseCode.FormatError, forwarder.HasUpstreams);
        }
        var limit = overTcp ? DnsWire.TcpLimit : query.UdpResponseLimit;

        if (query.Opcode != 0)
        {
            return Reply(query, DnsResponseCode.NotImplemented, [], limit);
        }
        if (query.Class != DnsWire.ClassIn || query.Type is DnsRecordType.AXFR or DnsRecordType.IXFR)
        {
            return Reply(query, DnsResponseCode.Refused, [], limit);
        }

        var name = query.Name.ToLowerInvariant();
        if (AnswerLocally(query, name) is { } local)
        {
            return Reply(query, DnsResponseCode.NoError, local, limit, authoritative: true);
        }
        if (!forwarder.HasUpstreams)
        {
            return Reply(query, DnsResponseCode.ServerFailure, [], limit);
        }
        var response = await forwarder.ForwardAsync(message, overTcp, cancellationToken).ConfigureAwait(false);
        if (response is null)
        {
            return Reply(query, DnsResponseCode.ServerFailure, [], limit);
        }
        return response.Length <= limit ? response : DnsResponseWriter.Truncate(query, response);
    }

    /// <summary>The local answers (possibly none: NODATA), or null when the name is not ours.</summary>
    private List<DnsAnswer>? AnswerLocally(DnsQuery query, string name)
    {
        if (query.Type == DnsRecordType.PTR)
        {
            return ReverseName.Parse(name) is { } address && records.ReverseLookup(containerId, address) is { } target
                ? [DnsAnswer.Pointer(target, LocalTtl)]
                : null;
        }
        var addresses = records.Lookup(containerId, name);
        if (addresses.Count == 0)
        {
            return null;
        }
        var family = query.Type switch
        {
            DnsRecordType.A => AddressFamily.InterNetwork,
            DnsRecordType.AAAA => AddressFamily.InterNetworkV6,
            _ => (AddressFamily?)null,
        };
        var answers = new List<DnsAnswer>();
        foreach (var address in addresses)
        {
            if (query.Type == DnsRecordType.ANY || address.AddressFamily == family)
            {
                answers.Add(DnsAnswer.For(address, LocalTtl));
            }
        }
        Random.Shared.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(answers));
        return answers;
    }

    private byte[] Reply(DnsQuery query, DnsResponseCode code, IReadOnlyList<DnsAnswer> answers, int limit, bool authoritative = false) =>
        DnsResponseWriter.Write(query, code, answers, authoritative, forwarder.HasUpstreams, limit);
}
