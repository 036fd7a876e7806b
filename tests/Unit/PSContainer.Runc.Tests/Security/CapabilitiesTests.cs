using PSContainer.Runc.Security;
using Xunit;

namespace PSContainer.Runc.Tests.Security;

public sealed class CapabilitiesTests
{
    [Theory]
    [InlineData("CAP_CHOWN", 0)]
    [InlineData("CAP_NET_BIND_SERVICE", 10)]
    [InlineData("CAP_SYS_ADMIN", 21)]
    [InlineData("CAP_AUDIT_READ", 37)]
    [InlineData("CAP_CHECKPOINT_RESTORE", 40)]
    [InlineData("sys_admin", 21)]
    [InlineData("NET_RAW", 13)]
    public void NamesMapToKernelNumbers(string name, int number) => Assert.Equal(number, Capabilities.Parse(name));

    [Fact]
    public void UnknownNamesAreAClearError()
    {
        var error = Assert.Throws<SecurityConfigException>(() =>
            Capabilities.ToMask(["CAP_CHOWN", "CAP_TIME_TRAVEL"], "process.capabilities.bounding"));
        Assert.Equal("process.capabilities.bounding[1]: unknown capability \"CAP_TIME_TRAVEL\"", error.Message);
    }

    [Fact]
    public void TableIsCompleteAndRoundTrips()
    {
        Assert.Equal(41, Capabilities.All.Count);
        for (var n = 0; n < Capabilities.All.Count; n++)
        {
            Assert.Equal(n, Capabilities.Parse(Capabilities.NameOf(n)));
        }
    }

    [Fact]
    public void MasksHaveOneBitPerCapability()
    {
        var mask = Capabilities.ToMask(["CAP_CHOWN", "CAP_KILL", "CAP_SYS_ADMIN", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"], "x");
        Assert.Equal((1UL << 0) | (1UL << 5) | (1UL << 21) | (1UL << 39) | (1UL << 40), mask);
        Assert.Equal((0x0020_0021u, 0x180u), Capabilities.Split(mask));
        Assert.Equal(["CAP_CHOWN", "CAP_KILL", "CAP_SYS_ADMIN", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"], Capabilities.FromMask(mask));
        Assert.Equal(0x1FF_FFFF_FFFFUL, Capabilities.FullMask(40));
    }

    [Fact]
    public void CapabilitiesNewerThanTheKernelAreRejectedOrDroppedWithAWarning()
    {
        Assert.Contains("not supported by this kernel", Assert.Throws<SecurityConfigException>(() =>
            Capabilities.ToMask(["CAP_BPF"], "process.capabilities.effective", lastCap: 37)).Message);
        var warnings = new List<string>();
        var sets = CapabilitySets.From(["CAP_BPF", "CAP_KILL"], null, null, ["CAP_KILL"], [], lastCap: 37, ignoreUnsupported: true, warn: warnings.Add);
        Assert.Equal(1UL << 5, sets.Bounding);
        Assert.Equal(0UL, sets.Effective);
        Assert.Equal(1UL << 5, sets.Permitted);
        Assert.Single(warnings);
    }

    [Fact]
    public void KernelLastCapIsReadFromProc()
    {
        var last = Capabilities.KernelLastCap();
        Assert.InRange(last, 36, 63);
        var fake = Path.GetTempFileName();
        try
        {
            File.WriteAllText(fake, "38\n");
            Assert.Equal(38, Capabilities.KernelLastCap(fake));
            File.WriteAllText(fake, "lots\n");
            Assert.Throws<InvalidDataException>(() => Capabilities.KernelLastCap(fake));
        }
        finally
        {
            File.Delete(fake);
        }
    }
}
