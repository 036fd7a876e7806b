using System.Text;
using PSContainer.Oci;
using Xunit;

namespace PSContainer.Runc.Tests.Oci;

public class SpecValidatorTests
{
    private static string Error(string json)
    {
        var e = Assert.Throws<InvalidSpecException>(() => SpecValidator.Parse(Encoding.UTF8.GetBytes(json)));
        return e.Message;
    }

    private static string Mutate(string from, string to)
    {
        Assert.Contains(from, TestSpecs.BusyboxConfig, StringComparison.Ordinal);
        return TestSpecs.BusyboxConfig.Replace(from, to, StringComparison.Ordinal);
    }

    [Fact]
    public void The_busybox_config_is_valid_and_read_with_the_spec_names()
    {
        var spec = TestSpecs.Busybox();
        Assert.Equal("1.0.0", spec.OciVersion);
        Assert.Equal(["sh", "-c", "true"], spec.Process!.Args);
        Assert.Equal(1024UL, spec.Process.Rlimits![0].Hard);
        Assert.Equal("network", spec.Linux!.Namespaces![1].Type);
        Assert.True(spec.Process.NoNewPrivileges);
    }

    [Fact]
    public void Empty_args_name_the_field()
    {
        Assert.Equal("config.json: process.args must not be empty", Error(Mutate("\"args\": [ \"sh\", \"-c\", \"true\" ]", "\"args\": []")));
    }

    [Fact]
    public void An_unknown_namespace_names_its_index()
    {
        Assert.Equal("config.json: linux.namespaces[2].type: unknown namespace \"foo\"",
            Error(Mutate("{ \"type\": \"ipc\" }", "{ \"type\": \"foo\" }")));
    }

    [Fact]
    public void A_namespace_listed_twice_is_refused()
    {
        Assert.Equal("config.json: linux.namespaces[2].type: \"pid\" is listed twice",
            Error(Mutate("{ \"type\": \"ipc\" }", "{ \"type\": \"pid\" }")));
    }

    [Fact]
    public void A_relative_mount_destination_is_refused()
    {
        Assert.StartsWith("config.json: mounts[0].destination: must be an absolute path",
            Error(Mutate("\"destination\": \"/proc\"", "\"destination\": \"proc\"")));
    }

    [Fact]
    public void Id_maps_need_a_user_namespace_and_a_user_namespace_needs_maps()
    {
        Assert.Equal("config.json: linux.uidMappings and linux.gidMappings are required with a new user namespace",
            Error(Mutate("{ \"type\": \"mount\" }", "{ \"type\": \"mount\" }, { \"type\": \"user\" }")));
        Assert.Equal("config.json: linux.uidMappings/gidMappings are set but no new user namespace is requested",
            Error(Mutate("\"maskedPaths\"", "\"uidMappings\": [ { \"containerID\": 0, \"hostID\": 1000, \"size\": 1 } ], \"maskedPaths\"")));
    }

    [Fact]
    public void Invalid_json_names_the_line()
    {
        var message = Error("{ \"ociVersion\": \"1.0.0\", \"process\": { \"args\": 5 } }");
        Assert.StartsWith("config.json: invalid JSON at process.args (line 1)", message);
    }

    [Fact]
    public void Hostname_without_uts_namespace_is_refused()
    {
        Assert.Equal("config.json: hostname is set but no uts namespace is requested",
            Error(Mutate("{ \"type\": \"uts\" }, ", "")));
    }

    [Fact]
    public void A_soft_rlimit_above_the_hard_one_is_refused()
    {
        Assert.Equal("config.json: process.rlimits[0]: soft 2048 is above hard 1024",
            Error(Mutate("\"hard\": 1024, \"soft\": 1024", "\"hard\": 1024, \"soft\": 2048")));
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var e = Assert.Throws<InvalidSpecException>(() => SpecValidator.Load("/nonexistent-dir/config.json"));
        Assert.Equal("config.json: no such file: /nonexistent-dir/config.json", e.Message);
    }

    [Fact]
    public void Round_trip_omits_absent_fields()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(TestSpecs.Busybox(), OciJsonContext.Default.Spec);
        Assert.DoesNotContain("null", json, StringComparison.Ordinal);
        Assert.Contains("\"noNewPrivileges\":true", json, StringComparison.Ordinal);
        Assert.Contains("\"maskedPaths\":[\"/proc/kcore\",\"/sys/firmware\"]", json, StringComparison.Ordinal);
    }
}
