using PSContainer.Runc.Cli;
using PSContainer.Runc.Container;
using Xunit;

namespace PSContainer.Runc.Tests.Cli;

public class CliTests
{
    [Fact]
    public void Options_take_values_in_every_runc_spelling()
    {
        OptionSpec[] specs = [new("bundle", 'b', true), new("pid-file", null, true), new("detach", 'd'), new("env", 'e', true, true)];
        var a = ParsedArgs.Parse(["-b", "/x", "--pid-file=/p", "-d", "-e", "A=1", "--env", "B=2", "id1"], specs);
        Assert.Equal("/x", a.Value("bundle"));
        Assert.Equal("/p", a.Value("pid-file"));
        Assert.True(a.Has("detach"));
        Assert.Equal(["A=1", "B=2"], a.Values("env"));
        Assert.Equal(["id1"], a.Positional);
        Assert.Equal("/y", ParsedArgs.Parse(["-bundle", "/y"], specs).Value("bundle"));
        Assert.Equal("/z", ParsedArgs.Parse(["-b/z"], specs).Value("bundle"));
    }

    [Fact]
    public void Features_lists_only_mount_options_the_plan_accepts_including_idmap_and_tmpcopyup()
    {
        foreach (var option in FeaturesDocument.MountOptions)
        {
            // Every listed option is understood: none ends up as file system data for mount(2).
            Assert.Equal("", MountOptions.Parse([option], "x").Data);
        }
        Assert.Contains("idmap", FeaturesDocument.MountOptions);
        Assert.Contains("ridmap", FeaturesDocument.MountOptions);
        Assert.Contains("tmpcopyup", FeaturesDocument.MountOptions);
        using var doc = System.Text.Json.JsonDocument.Parse(FeaturesDocument.Json());
        Assert.True(doc.RootElement.GetProperty("linux").GetProperty("mountExtensions").GetProperty("idmap").GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public void Exec_keeps_the_command_and_its_own_flags_verbatim()
    {
        OptionSpec[] specs = [new("tty", 't'), new("env", 'e', true, true)];
        var a = ParsedArgs.Parse(["-t", "c1", "ls", "-la", "--color", "-e"], specs, stopAtPositional: true);
        Assert.True(a.Has("tty"));
        Assert.Equal(["c1", "ls", "-la", "--color", "-e"], a.Positional);
    }

    [Fact]
    public void Unknown_flags_and_missing_values_are_usage_errors()
    {
        Assert.Equal("flag provided but not defined: -nope", Assert.Throws<UsageException>(() => ParsedArgs.Parse(["--nope"], [])).Message);
        Assert.Equal("flag needs an argument: --bundle",
            Assert.Throws<UsageException>(() => ParsedArgs.Parse(["--bundle"], [new("bundle", 'b', true)])).Message);
        Assert.Throws<UsageException>(() => ParsedArgs.Parse(["--preserve-fds", "x"], [new("preserve-fds", null, true)]).Int("preserve-fds", 0));
    }

    [Theory]
    [InlineData("KILL", 9)]
    [InlineData("SIGTERM", 15)]
    [InlineData("term", 15)]
    [InlineData("9", 9)]
    [InlineData("SIGRTMIN+2", 36)]
    [InlineData("RTMAX", 64)]
    [InlineData("sigwinch", 28)]
    public void Signals_parse_by_name_and_number(string text, int number) => Assert.Equal(number, Signals.Parse(text));

    [Theory]
    [InlineData("SIGFOO")]
    [InlineData("0")]
    [InlineData("99")]
    public void Bad_signals_are_usage_errors(string text) => Assert.Throws<UsageException>(() => Signals.Parse(text));

    [Fact]
    public void Durations_parse_like_go()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), Commands.ParseDuration("5s"));
        Assert.Equal(TimeSpan.FromMilliseconds(1500), Commands.ParseDuration("1s500ms"));
        Assert.Equal(TimeSpan.FromSeconds(150), Commands.ParseDuration("2m30s"));
        Assert.Throws<UsageException>(() => Commands.ParseDuration("5 parsecs"));
    }

    [Fact]
    public void Update_flags_become_resources()
    {
        var a = ParsedArgs.Parse(["--memory", "512m", "--cpu-shares", "512", "--pids-limit", "100", "--cpuset-cpus", "0-1", "c1"], UpdateFlags.Specs);
        var r = UpdateFlags.Resources(a);
        Assert.Equal(512L << 20, r.Memory!.Limit);
        Assert.Equal(512UL, r.Cpu!.Shares);
        Assert.Equal("0-1", r.Cpu.Cpus);
        Assert.Equal(100, r.Pids!.Limit);
        Assert.Null(r.BlockIO);
    }

    [Fact]
    public void Container_ids_follow_runc_rules()
    {
        StateStore.ValidateId("web-1_a.b+c");
        foreach (var bad in new[] { "", ".", "..", "a/b", "a b", "ä" })
        {
            Assert.Throws<RuncException>(() => StateStore.ValidateId(bad));
        }
    }

    [Fact]
    public void The_default_spec_is_valid_and_rootless_has_a_user_namespace()
    {
        var spec = DefaultSpec.Create(rootless: false, 0, 0);
        Assert.Empty(PSContainer.Oci.SpecValidator.Validate(spec));
        Assert.True(spec.Root!.Readonly);
        var rootless = DefaultSpec.Create(rootless: true, 1000, 1000);
        Assert.Empty(PSContainer.Oci.SpecValidator.Validate(rootless));
        Assert.Contains(rootless.Linux!.Namespaces!, n => n.Type == "user");
        Assert.DoesNotContain(rootless.Linux.Namespaces!, n => n.Type == "network");
        Assert.Equal(1000u, rootless.Linux.UidMappings![0].HostID);
    }

    [Fact]
    public void Json_log_lines_have_runc_fields()
    {
        var path = Path.Combine(Path.GetTempPath(), $"psc-runc-log-{Guid.NewGuid():N}.json");
        try
        {
            var log = new RuncLog(path, json: true, debug: false);
            var stderr = Console.Error;
            Console.SetError(TextWriter.Null);
            try
            {
                log.Error("container \"x\" does not exist");
            }
            finally
            {
                Console.SetError(stderr);
            }
            var line = File.ReadAllText(path).TrimEnd('\n');
            Assert.Matches("^\\{\"level\":\"error\",\"msg\":\"container \\\\u0022x\\\\u0022 does not exist\",\"time\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\"\\}$", line);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Ps_output_is_filtered_to_the_container()
    {
        var output = "UID PID PPID CMD\nroot 1 0 init\nroot 42 1 sleep\nroot 43 1 other\n";
        Assert.Equal("UID PID PPID CMD\nroot 42 1 sleep\n", PsTable.Filter(output, [42]));
    }

    [Fact]
    public void Home_comes_from_passwd()
    {
        const string passwd = "root:x:0:0:root:/root:/bin/sh\nwww:x:33:33::/var/www:/bin/false\nbroken\n";
        Assert.Equal("/root", Passwd.HomeIn(passwd, 0));
        Assert.Equal("/var/www", Passwd.HomeIn(passwd, 33));
        Assert.Null(Passwd.HomeIn(passwd, 1000));
    }

    [Fact]
    public void Device_rules_keep_the_config_first_and_allow_what_every_container_needs()
    {
        var linux = new PSContainer.Oci.Linux
        {
            Resources = new PSContainer.Oci.LinuxResources { Devices = [new() { Allow = false, Access = "rwm" }] },
            Devices = [new() { Path = "/dev/fuse", Type = "c", Major = 10, Minor = 229 }],
        };
        var rules = DeviceRules.Effective(linux).Devices!;
        Assert.False(rules[0].Allow);
        Assert.Contains(rules, r => r.Allow && r.Type == "c" && r.Major == 1 && r.Minor == 3);
        Assert.True(rules[^1] is { Allow: true, Type: "c", Major: 10, Minor: 229, Access: "rwm" });
        Assert.Single(linux.Resources.Devices); // the config is not changed
    }

    [Fact]
    public void Version_and_unknown_commands()
    {
        var output = new StringWriter();
        Assert.Equal(0, RuncMain.Run(["--version"], output));
        Assert.StartsWith("psc-runc version ", output.ToString(), StringComparison.Ordinal);
        var stderr = Console.Error;
        var errors = new StringWriter();
        Console.SetError(errors);
        try
        {
            Assert.Equal(1, RuncMain.Run(["--root", "/nonexistent-psc", "frobnicate"], TextWriter.Null));
            Assert.Equal(1, RuncMain.Run(["--root", "/nonexistent-psc", "state", "nope"], TextWriter.Null));
            Assert.Equal(1, RuncMain.Run(["--systemd-cgroup", "list"], TextWriter.Null));
        }
        finally
        {
            Console.SetError(stderr);
        }
        var text = errors.ToString();
        Assert.Contains("msg=\"container \\\"nope\\\" does not exist\"", text, StringComparison.Ordinal);
        Assert.Contains("--systemd-cgroup is not supported", text, StringComparison.Ordinal);
    }
}
