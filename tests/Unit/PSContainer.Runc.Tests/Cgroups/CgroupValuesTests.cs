using PSContainer.Oci;
using PSContainer.Runc.Cgroups;
using Xunit;

namespace PSContainer.Runc.Tests.Cgroups;

public sealed class CgroupValuesTests
{
    [Theory]
    [InlineData(0UL, 0UL)]
    [InlineData(2UL, 1UL)]
    [InlineData(1024UL, 39UL)]
    [InlineData(262144UL, 10000UL)]
    [InlineData(1UL, 1UL)]
    [InlineData(500000UL, 10000UL)]
    public void SharesMapLinearlyOntoWeights(ulong shares, ulong weight) => Assert.Equal(weight, CgroupValues.SharesToWeight(shares));

    [Theory]
    [InlineData(10UL, 1UL)]
    [InlineData(500UL, 4950UL)]
    [InlineData(1000UL, 10000UL)]
    public void BlkioWeightsMapOntoIoWeights(ulong blkio, ulong io) => Assert.Equal(io, CgroupValues.BlkioWeightToIoWeight(blkio));

    [Theory]
    [InlineData(null, null, null)]
    [InlineData(null, 100L, null)]
    [InlineData(0L, 100L, null)]
    [InlineData(-1L, 100L, -1L)]
    [InlineData(null, -1L, -1L)]
    [InlineData(300L, 100L, 200L)]
    [InlineData(100L, 100L, 0L)]
    public void MemorySwapBecomesSwapAloneOnV2(long? swap, long? limit, long? expected) =>
        Assert.Equal(expected, CgroupValues.SwapToV2(swap, limit));

    [Fact]
    public void ImpossibleSwapSettingsAreRejected()
    {
        Assert.Contains("below memory.limit", Assert.Throws<CgroupConfigException>(() => CgroupValues.SwapToV2(50, 100)).Message);
        Assert.Contains("needs a memory limit", Assert.Throws<CgroupConfigException>(() => CgroupValues.SwapToV2(50, null)).Message);
        Assert.Contains("needs a memory limit", Assert.Throws<CgroupConfigException>(() => CgroupValues.SwapToV2(50, -1)).Message);
    }

    [Theory]
    [InlineData("c", 1L, 3L, "rwm", "c 1:3 rwm")]
    [InlineData(null, null, null, null, "a *:* rwm")]
    [InlineData("b", 8L, null, "r", "b 8:* r")]
    [InlineData("c", -1L, -1L, "mw", "c *:* mw")]
    public void DeviceRulesFormatForV1(string? type, long? major, long? minor, string? access, string expected) =>
        Assert.Equal(expected, CgroupValues.FormatDeviceRule(new LinuxDeviceCgroup { Type = type, Major = major, Minor = minor, Access = access }, "d"));

    [Theory]
    [InlineData("x", "rwm", "d.type")]
    [InlineData("c", "rwx", "d.access")]
    [InlineData("c", "", "d.access")]
    [InlineData("c", "rr", "d.access")]
    public void BadDeviceRulesNameTheField(string type, string access, string field) =>
        Assert.StartsWith(field, Assert.Throws<CgroupConfigException>(() =>
            CgroupValues.FormatDeviceRule(new LinuxDeviceCgroup { Type = type, Access = access }, "d")).Message);

    [Fact]
    public void CountersParseMaxAndNegativeAsUnlimited()
    {
        Assert.Equal(ulong.MaxValue, CgroupValues.ParseCounter("max\n", "f"));
        Assert.Equal(ulong.MaxValue, CgroupValues.ParseCounter("-1\n", "f"));
        Assert.Equal(42UL, CgroupValues.ParseCounter("42\n", "f"));
        Assert.Contains("/x/f: expected a number", Assert.Throws<InvalidDataException>(() => CgroupValues.ParseCounter("nope", "/x/f")).Message);
        Assert.Equal("2MB", CgroupValues.PageSize("2MB", "h"));
        Assert.Throws<CgroupConfigException>(() => CgroupValues.PageSize("2M", "h"));
    }
}
