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
    public void Wrong_types_name_the_path_and_broken_json_the_line()
    {
        Assert.Equal("config.json: invalid JSON at process.args: expected an array",
            Error("{ \"ociVersion\": \"1.0.0\", \"process\": { \"args\": 5 } }"));
        Assert.Equal("config.json: invalid JSON at linux.namespaces[1].type: expected a string",
            Error("{ \"linux\": { \"namespaces\": [ { \"type\": \"pid\" }, { \"type\": 7 } ] } }"));
        Assert.Equal("config.json: invalid JSON at process.user.uid: -1 is out of range",
            Error("{ \"process\": { \"user\": { \"uid\": -1 } } }"));
        Assert.StartsWith("config.json: invalid JSON (line 2)", Error("{\n  \"ociVersion\": ,\n}"));
    }

    [Fact]
    public void The_fast_reader_and_the_serializer_read_the_same_model()
    {
        // SpecReader exists for speed only: it must agree with the source-generated serializer,
        // including linux.resources and linux.seccomp (every field set once).
        const string extra = """
            "hooks": { "poststop": [ { "path": "/bin/true", "args": ["true"], "env": ["A=1"], "timeout": 3 } ] },
            "annotations": { "a": "b" },
            "domainname": "example.org",
        """;
        const string linuxExtra = """
            "uidMappings": [ { "containerID": 0, "hostID": 1000, "size": 1 } ],
            "gidMappings": [ { "containerID": 0, "hostID": 1000, "size": 1 } ],
            "devices": [ { "path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438, "uid": 0, "gid": 0 } ],
            "cgroupsPath": "/psc/x", "rootfsPropagation": "rprivate", "sysctl": { "net.ipv4.ip_forward": "1" },
            "personality": { "domain": "LINUX" }, "timeOffsets": { "monotonic": { "secs": 5, "nanosecs": 7 } },
            "resources": {
              "devices": [ { "allow": false, "access": "rwm" }, { "allow": true, "type": "c", "major": 1, "minor": 3, "access": "rw" } ],
              "memory": { "limit": 1000000, "reservation": 1, "swap": 2, "kernel": 3, "kernelTCP": 4, "swappiness": 5, "disableOOMKiller": true, "useHierarchy": false, "checkBeforeUpdate": true },
              "cpu": { "shares": 512, "quota": 1000, "burst": 1, "period": 100000, "realtimeRuntime": 1, "realtimePeriod": 2, "cpus": "0-1", "mems": "0", "idle": 0 },
              "pids": { "limit": 100 },
              "blockIO": { "weight": 10, "leafWeight": 11, "weightDevice": [ { "major": 8, "minor": 0, "weight": 12, "leafWeight": 13 } ],
                "throttleReadBpsDevice": [ { "major": 8, "minor": 0, "rate": 100 } ], "throttleWriteIOPSDevice": [ { "major": 8, "minor": 0, "rate": 5 } ] },
              "hugepageLimits": [ { "pageSize": "2MB", "limit": 1048576 } ],
              "network": { "classID": 7, "priorities": [ { "name": "eth0", "priority": 1 } ] },
              "rdma": { "mlx": { "hcaHandles": 1, "hcaObjects": 2 } },
              "unified": { "memory.high": "max" }
            },
            "seccomp": { "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1, "architectures": [ "SCMP_ARCH_X86_64" ], "flags": [ "SECCOMP_FILTER_FLAG_LOG" ],
              "syscalls": [ { "names": [ "read" ], "action": "SCMP_ACT_ALLOW" }, { "names": [ "personality" ], "action": "SCMP_ACT_ALLOW", "errnoRet": 2,
                "args": [ { "index": 0, "value": 8, "valueTwo": 0, "op": "SCMP_CMP_EQ" } ] } ] },
            "intelRdt": { "closID": "x" },
        """;
        var json = TestSpecs.BusyboxConfig.Replace("\"hostname\"", extra + "\"hostname\"", StringComparison.Ordinal)
            .Replace("\"maskedPaths\"", linuxExtra + "\"maskedPaths\"", StringComparison.Ordinal)
            .Replace("{ \"type\": \"mount\" }", "{ \"type\": \"mount\" }, { \"type\": \"user\" }, { \"type\": \"time\" }", StringComparison.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(json);
        var fast = SpecReader.Read(bytes);
        var slow = System.Text.Json.JsonSerializer.Deserialize(bytes, OciJsonContext.Default.Spec)!;
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(slow, OciJsonContext.Default.Spec),
            System.Text.Json.JsonSerializer.Serialize(fast, OciJsonContext.Default.Spec));
        Assert.Equal(229, fast.Linux!.Devices![0].Minor);
        Assert.True(fast.Linux.Resources!.Memory!.DisableOOMKiller);
        Assert.Equal(8UL, fast.Linux.Seccomp!.Syscalls![1].Args![0].Value);
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
