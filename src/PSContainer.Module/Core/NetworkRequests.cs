using System.Net;

namespace PSContainer.Module.Core;

/// <summary>Validates New-ContainerNetwork's parameters and builds the create request.</summary>
public static class NetworkRequests
{
    public static Api.NetworkCreateRequest Create(
        string name, string driver, string? subnet, string? gateway, bool isInternal, bool ipv6,
        IEnumerable<object?> options, IEnumerable<object?> labels)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (subnet is not null && !IPNetwork.TryParse(subnet, out _))
        {
            throw new ArgumentException($"-Subnet '{subnet}' is not a network in CIDR form (172.30.0.0/16).");
        }
        if (gateway is not null)
        {
            if (!IPAddress.TryParse(gateway, out var address))
            {
                throw new ArgumentException($"-Gateway '{gateway}' is not an IP address.");
            }
            if (subnet is null)
            {
                throw new ArgumentException("-Gateway needs -Subnet: the gateway must be an address in that subnet.");
            }
            if (!IPNetwork.Parse(subnet).Contains(address))
            {
                throw new ArgumentException($"-Gateway {gateway} is not inside -Subnet {subnet}.");
            }
        }
        var driverOptions = KeyValueParser.ParseLabels(options);
        var labelValues = KeyValueParser.ParseLabels(labels);
        return new Api.NetworkCreateRequest
        {
            Name = name,
            Driver = driver,
            Internal = isInternal,
            EnableIPv6 = ipv6 ? true : null,
            IPAM = subnet is null ? null : new Api.Ipam { Config = [new Api.IpamConfig { Subnet = subnet, Gateway = gateway }] },
            Options = driverOptions.Count > 0 ? driverOptions : null,
            Labels = labelValues.Count > 0 ? labelValues : null,
        };
    }
}
