using PSContainer.Shim.Cgroups;
using PSContainer.Shim.Commands;
using PSContainer.ShimApi;
using Xunit;

namespace PSContainer.Shim.Tests;

public sealed class ShimOptionsTests
{
    private static readonly string Bundle = Path.GetTempPath().TrimEnd('/');

    [Fact]
    public void ParsesEveryOptionBothSpellings()
    {
        var options = ShimOptions.Parse(["--id", "c1", "--bundle=" + Bundle, "--address", "unix:///run/e.sock", "--runtime", "/usr/sbin/runc",
            "--runtime-root", "/run/r", "--socket-dir", "/run/s", "--log-max-size", "1000", "--log-max-files=3"]);

        Assert.Equal(new ShimOptions("c1", Bundle, "/run/e.sock", "/usr/sbin/runc", "/run/r", "/run/s", 1000, 3, null), options);
        Assert.Equal(options, ShimOptions.Parse(options.ToArguments()));
    }

    [Fact]
    public void DefaultsAreDocumented()
    {
        var options = ShimOptions.Parse(["--id", "c1", "--bundle", Bundle]);

        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "psc-runc"), options.Runtime);
        Assert.Equal(ShimPaths.DefaultSocketDirectory, options.SocketDirectory);
        Assert.Null(options.Address);
        Assert.Equal((0L, 1), (options.LogMaxSize, options.LogMaxFiles));
    }

    [Fact]
    public void SpareNeedsNoIdOrBundle()
    {
        var options = ShimOptions.Parse(["--spare-socket", "/run/s/spare-1.sock", "--socket-dir", "/run/s", "--runtime", "/usr/sbin/runc"]);

        Assert.Equal("/run/s/spare-1.sock", options.SpareSocket);
        Assert.Equal("/usr/sbin/runc", options.Runtime);
        Assert.Throws<ArgumentException>(() => ShimOptions.Parse(["--spare-socket", "/run/s/x.sock", "--id", "c1"]));
        Assert.Null(ShimOptions.Parse(["--id", "c1", "--bundle", Bundle]).SpareSocket);
    }

    [Theory]
    [InlineData("--bundle", "/tmp")]
    [InlineData("--id", "a/b", "--bundle", "/tmp")]
    [InlineData("--id", "c", "--bundle", "/no/such/dir")]
    [InlineData("--id", "c", "--bundle", "/tmp", "--log-max-files", "0")]
    [InlineData("--id", "c", "--bundle", "/tmp", "--log-max-size", "-5")]
    [InlineData("--id", "c", "--bundle", "/tmp", "--bogus", "1")]
    [InlineData("--id", "c", "--bundle", "/tmp", "--address", "tcp://x")]
    [InlineData("--id", "c", "--bundle")]
    public void BadCommandLinesAreRefusedWithAReason(params string[] args)
    {
        var error = Assert.Throws<ArgumentException>(() => ShimOptions.Parse(args));
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Theory]
    [InlineData("oom 0\nunder_oom 0\noom_kill 3\n", 3)]
    [InlineData("low 0\nhigh 0\nmax 0\noom 1\noom_kill 1\noom_group_kill 0\n", 1)]
    [InlineData("oom_kill_disable 0\nunder_oom 0\n", 0)]
    [InlineData("", 0)]
    public void OomCounterReadsV1AndV2Files(string content, long expected)
    {
        Assert.Equal(expected, OomCounter.Parse(content));
    }

    [Fact]
    public void ExitCodeFollowsTheShellConvention()
    {
        Assert.Equal(0, Interop.Linux.Libc.ExitCodeFromWaitStatus(0));
        Assert.Equal(7, Interop.Linux.Libc.ExitCodeFromWaitStatus(7 << 8));
        Assert.Equal(137, Interop.Linux.Libc.ExitCodeFromWaitStatus(9));
        Assert.Equal(143, Interop.Linux.Libc.ExitCodeFromWaitStatus(15));
    }
}
