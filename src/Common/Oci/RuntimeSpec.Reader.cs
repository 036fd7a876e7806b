using System.Globalization;
using System.Text.Json;

namespace PSContainer.Oci;

/// <summary>
/// Reads config.json into the <see cref="Spec"/> model by walking a <see cref="JsonDocument"/>.
/// Why not <see cref="OciJsonContext"/> here: System.Text.Json's metadata for properties of value
/// types (bool?, uint, long?…) are generic instantiations that ReadyToRun cannot precompile
/// outside the framework, so the first deserialization JITs about 600 methods — most of the
/// runtime's own time in `psc-runc run`. JsonDocument is precompiled. Unknown fields are ignored
/// and a value of the wrong type is an error naming its path, as with the serializer; a unit test
/// checks that both give the same model.
/// </summary>
public static class SpecReader
{
    private static readonly JsonDocumentOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    public static Spec Read(ReadOnlyMemory<byte> json, string name = "config.json")
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, Options);
        }
        catch (JsonException e)
        {
            throw new InvalidSpecException($"{name}: invalid JSON (line {e.LineNumber + 1}): {e.Message.Split('\n')[0]}");
        }
        using (doc)
        {
            try
            {
                return ReadSpec(new Node(doc.RootElement, ""));
            }
            catch (NodeException e)
            {
                throw new InvalidSpecException($"{name}: invalid JSON at {e.Path}: {e.Message}");
            }
        }
    }

    /// <summary>A spec that is part of a larger document (psc-runc's state.json).</summary>
    public static Spec Read(JsonElement element, string name)
    {
        try
        {
            return ReadSpec(new Node(element, ""));
        }
        catch (NodeException e)
        {
            throw new InvalidSpecException($"{name}: invalid JSON at {e.Path}: {e.Message}");
        }
    }

    /// <summary>A process JSON (exec --process) read the same way.</summary>
    public static OciProcess ReadProcess(ReadOnlyMemory<byte> json, string name)
    {
        try
        {
            using var doc = JsonDocument.Parse(json, Options);
            return ReadProcess(new Node(doc.RootElement, ""));
        }
        catch (JsonException e)
        {
            throw new InvalidSpecException($"{name}: invalid JSON (line {e.LineNumber + 1}): {e.Message.Split('\n')[0]}");
        }
        catch (NodeException e)
        {
            throw new InvalidSpecException($"{name}: invalid JSON at {e.Path}: {e.Message}");
        }
    }

    private static Spec ReadSpec(Node n)
    {
        n.ExpectObject();
        return new Spec
        {
            OciVersion = n.Str("ociVersion") ?? "",
            Process = n.Obj("process", ReadProcess),
            Root = n.Obj("root", r => new Root { Path = r.Str("path") ?? "", Readonly = r.Bool("readonly") }),
            Hostname = n.Str("hostname"),
            Domainname = n.Str("domainname"),
            Mounts = n.List("mounts", m => new Mount
            {
                Destination = m.Str("destination") ?? "",
                Type = m.Str("type"),
                Source = m.Str("source"),
                Options = m.Strings("options"),
                UidMappings = m.List("uidMappings", ReadIdMapping),
                GidMappings = m.List("gidMappings", ReadIdMapping),
            }),
            Hooks = n.Obj("hooks", h => new Hooks
            {
                Prestart = h.List("prestart", ReadHook),
                CreateRuntime = h.List("createRuntime", ReadHook),
                CreateContainer = h.List("createContainer", ReadHook),
                StartContainer = h.List("startContainer", ReadHook),
                Poststart = h.List("poststart", ReadHook),
                Poststop = h.List("poststop", ReadHook),
            }),
            Annotations = n.StringMap("annotations"),
            Linux = n.Obj("linux", ReadLinux),
        };
    }

    private static OciProcess ReadProcess(Node p) => new()
    {
        Terminal = p.Bool("terminal"),
        ConsoleSize = p.Obj("consoleSize", b => new Box { Height = b.UInt("height") ?? 0, Width = b.UInt("width") ?? 0 }),
        User = p.Obj("user", u => new User
        {
            Uid = u.UInt("uid") ?? 0,
            Gid = u.UInt("gid") ?? 0,
            Umask = u.UInt("umask"),
            AdditionalGids = u.List("additionalGids", g => g.AsUInt()),
            Username = u.Str("username"),
        }) ?? new User(),
        Args = p.Strings("args"),
        CommandLine = p.Str("commandLine"),
        Env = p.Strings("env"),
        Cwd = p.Str("cwd") ?? "",
        Capabilities = p.Obj("capabilities", c => new LinuxCapabilities
        {
            Bounding = c.Strings("bounding"), Effective = c.Strings("effective"), Inheritable = c.Strings("inheritable"),
            Permitted = c.Strings("permitted"), Ambient = c.Strings("ambient"),
        }),
        Rlimits = p.List("rlimits", r => new PosixRlimit { Type = r.Str("type") ?? "", Hard = r.ULong("hard") ?? 0, Soft = r.ULong("soft") ?? 0 }),
        NoNewPrivileges = p.Bool("noNewPrivileges"),
        ApparmorProfile = p.Str("apparmorProfile"),
        OomScoreAdj = p.Int("oomScoreAdj"),
        SelinuxLabel = p.Str("selinuxLabel"),
        IoPriority = p.Obj("ioPriority", i => new LinuxIOPriority { Class = i.Str("class") ?? "", Priority = i.Int("priority") ?? 0 }),
        Scheduler = p.Obj("scheduler", s => new LinuxScheduler
        {
            Policy = s.Str("policy") ?? "", Nice = s.Int("nice"), Priority = s.Int("priority"), Flags = s.Strings("flags"),
            Runtime = s.ULong("runtime"), Deadline = s.ULong("deadline"), Period = s.ULong("period"),
        }),
        ExecCpuAffinity = p.Obj("execCPUAffinity", a => new CpuAffinity { Initial = a.Str("initial"), Final = a.Str("final") }),
    };

    private static LinuxIdMapping ReadIdMapping(Node m) =>
        new() { ContainerID = m.UInt("containerID") ?? 0, HostID = m.UInt("hostID") ?? 0, Size = m.UInt("size") ?? 0 };

    private static Hook ReadHook(Node h) =>
        new() { Path = h.Str("path") ?? "", Args = h.Strings("args"), Env = h.Strings("env"), Timeout = h.Int("timeout") };

    private static Linux ReadLinux(Node l) => new()
    {
        Namespaces = l.List("namespaces", n => new LinuxNamespace { Type = n.Str("type") ?? "", Path = n.Str("path") }),
        UidMappings = l.List("uidMappings", ReadIdMapping),
        GidMappings = l.List("gidMappings", ReadIdMapping),
        TimeOffsets = l.Map("timeOffsets", t => new LinuxTimeOffset { Secs = t.Long("secs"), Nanosecs = t.UInt("nanosecs") }),
        Devices = l.List("devices", d => new LinuxDevice
        {
            Path = d.Str("path") ?? "", Type = d.Str("type") ?? "", Major = d.Long("major") ?? 0, Minor = d.Long("minor") ?? 0,
            FileMode = d.UInt("fileMode"), Uid = d.UInt("uid"), Gid = d.UInt("gid"),
        }),
        CgroupsPath = l.Str("cgroupsPath"),
        Resources = l.Obj("resources", ReadResources),
        RootfsPropagation = l.Str("rootfsPropagation"),
        Seccomp = l.Obj("seccomp", ReadSeccomp),
        Sysctl = l.StringMap("sysctl"),
        MaskedPaths = l.Strings("maskedPaths"),
        ReadonlyPaths = l.Strings("readonlyPaths"),
        MountLabel = l.Str("mountLabel"),
        Personality = l.Obj("personality", p => new LinuxPersonality { Domain = p.Str("domain") ?? "", Flags = p.Strings("flags") }),
        IntelRdt = l.Raw("intelRdt"),
    };

    public static LinuxResources ReadResources(Node r) => new()
    {
        Devices = r.List("devices", d => new LinuxDeviceCgroup
        {
            Allow = d.Bool("allow") ?? false, Type = d.Str("type"), Major = d.Long("major"), Minor = d.Long("minor"), Access = d.Str("access"),
        }),
        Memory = r.Obj("memory", m => new LinuxMemory
        {
            Limit = m.Long("limit"), Reservation = m.Long("reservation"), Swap = m.Long("swap"), Kernel = m.Long("kernel"),
            KernelTCP = m.Long("kernelTCP"), Swappiness = m.ULong("swappiness"), DisableOOMKiller = m.Bool("disableOOMKiller"),
            UseHierarchy = m.Bool("useHierarchy"), CheckBeforeUpdate = m.Bool("checkBeforeUpdate"),
        }),
        Cpu = r.Obj("cpu", c => new LinuxCpu
        {
            Shares = c.ULong("shares"), Quota = c.Long("quota"), Burst = c.ULong("burst"), Period = c.ULong("period"),
            RealtimeRuntime = c.Long("realtimeRuntime"), RealtimePeriod = c.ULong("realtimePeriod"), Cpus = c.Str("cpus"),
            Mems = c.Str("mems"), Idle = c.Long("idle"),
        }),
        Pids = r.Obj("pids", p => new LinuxPids { Limit = p.Long("limit") }),
        BlockIO = r.Obj("blockIO", b => new LinuxBlockIO
        {
            Weight = b.UShort("weight"),
            LeafWeight = b.UShort("leafWeight"),
            WeightDevice = b.List("weightDevice", w => new LinuxWeightDevice
            {
                Major = w.Long("major") ?? 0, Minor = w.Long("minor") ?? 0, Weight = w.UShort("weight"), LeafWeight = w.UShort("leafWeight"),
            }),
            ThrottleReadBpsDevice = b.List("throttleReadBpsDevice", ReadThrottle),
            ThrottleWriteBpsDevice = b.List("throttleWriteBpsDevice", ReadThrottle),
            ThrottleReadIOPSDevice = b.List("throttleReadIOPSDevice", ReadThrottle),
            ThrottleWriteIOPSDevice = b.List("throttleWriteIOPSDevice", ReadThrottle),
        }),
        HugepageLimits = r.List("hugepageLimits", h => new LinuxHugepageLimit { PageSize = h.Str("pageSize") ?? "", Limit = h.ULong("limit") ?? 0 }),
        Network = r.Obj("network", n => new LinuxNetwork
        {
            ClassID = n.UInt("classID"),
            Priorities = n.List("priorities", p => new LinuxInterfacePriority { Name = p.Str("name") ?? "", Priority = p.UInt("priority") ?? 0 }),
        }),
        Rdma = r.Map("rdma", d => new LinuxRdma { HcaHandles = d.UInt("hcaHandles"), HcaObjects = d.UInt("hcaObjects") }),
        Unified = r.StringMap("unified"),
    };

    private static LinuxThrottleDevice ReadThrottle(Node t) =>
        new() { Major = t.Long("major") ?? 0, Minor = t.Long("minor") ?? 0, Rate = t.ULong("rate") ?? 0 };

    private static LinuxSeccomp ReadSeccomp(Node s) => new()
    {
        DefaultAction = s.Str("defaultAction") ?? "",
        DefaultErrnoRet = s.UInt("defaultErrnoRet"),
        Architectures = s.Strings("architectures"),
        Flags = s.Strings("flags"),
        ListenerPath = s.Str("listenerPath"),
        ListenerMetadata = s.Str("listenerMetadata"),
        Syscalls = s.List("syscalls", c => new LinuxSyscall
        {
            Names = c.Strings("names") ?? [],
            Action = c.Str("action") ?? "",
            ErrnoRet = c.UInt("errnoRet"),
            Args = c.List("args", a => new LinuxSeccompArg
            {
                Index = a.UInt("index") ?? 0, Value = a.ULong("value") ?? 0, ValueTwo = a.ULong("valueTwo") ?? 0, Op = a.Str("op") ?? "",
            }),
        }),
    };

    private sealed class NodeException(string path, string message) : Exception(message)
    {
        public string Path { get; } = path;
    }

    /// <summary>One JSON value and the spec path that leads to it ("linux.namespaces[2]").</summary>
    public readonly struct Node(JsonElement element, string path)
    {
        private string Child(string name) => path.Length == 0 ? name : $"{path}.{name}";

        private bool TryGet(string name, out JsonElement value)
        {
            if (element.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null)
            {
                return true;
            }
            value = default;
            return false;
        }

        public void ExpectObject()
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw new NodeException(path.Length == 0 ? "$" : path, "expected an object");
            }
        }

        public string? Str(string name)
        {
            if (!TryGet(name, out var v))
            {
                return null;
            }
            return v.ValueKind == JsonValueKind.String ? v.GetString() : throw new NodeException(Child(name), "expected a string");
        }

        public bool? Bool(string name)
        {
            if (!TryGet(name, out var v))
            {
                return null;
            }
            return v.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw new NodeException(Child(name), "expected true or false"),
            };
        }

        public uint? UInt(string name) => TryGet(name, out var v) ? Number(v, Child(name), (JsonElement e, out uint x) => e.TryGetUInt32(out x)) : null;

        public int? Int(string name) => TryGet(name, out var v) ? Number(v, Child(name), (JsonElement e, out int x) => e.TryGetInt32(out x)) : null;

        public long? Long(string name) => TryGet(name, out var v) ? Number(v, Child(name), (JsonElement e, out long x) => e.TryGetInt64(out x)) : null;

        public ulong? ULong(string name) => TryGet(name, out var v) ? Number(v, Child(name), (JsonElement e, out ulong x) => e.TryGetUInt64(out x)) : null;

        public ushort? UShort(string name) => TryGet(name, out var v) ? Number(v, Child(name), (JsonElement e, out ushort x) => e.TryGetUInt16(out x)) : null;

        public uint AsUInt() => Number(element, path, (JsonElement e, out uint x) => e.TryGetUInt32(out x));

        private delegate bool TryNumber<T>(JsonElement e, out T value);

        private static T Number<T>(JsonElement v, string where, TryNumber<T> get) =>
            v.ValueKind == JsonValueKind.Number && get(v, out var x)
                ? x
                : throw new NodeException(where, v.ValueKind == JsonValueKind.Number
                    ? $"{v.GetRawText()} is out of range"
                    : "expected a number");

        public T? Obj<T>(string name, Func<Node, T> read) where T : class
        {
            if (!TryGet(name, out var v))
            {
                return null;
            }
            var node = new Node(v, Child(name));
            node.ExpectObject();
            return read(node);
        }

        public List<T>? List<T>(string name, Func<Node, T> read)
        {
            if (!TryGet(name, out var v))
            {
                return null;
            }
            if (v.ValueKind != JsonValueKind.Array)
            {
                throw new NodeException(Child(name), "expected an array");
            }
            var list = new List<T>(v.GetArrayLength());
            var i = 0;
            foreach (var item in v.EnumerateArray())
            {
                var node = new Node(item, $"{Child(name)}[{i++}]");
                if (item.ValueKind == JsonValueKind.Object || typeof(T).IsValueType)
                {
                    list.Add(read(node));
                }
                else
                {
                    throw new NodeException(node.PathText, "expected an object");
                }
            }
            return list;
        }

        public List<string>? Strings(string name)
        {
            if (!TryGet(name, out var v))
            {
                return null;
            }
            if (v.ValueKind != JsonValueKind.Array)
            {
                throw new NodeException(Child(name), "expected an array");
            }
            var list = new List<string>(v.GetArrayLength());
            var i = 0;
            foreach (var item in v.EnumerateArray())
            {
                list.Add(item.ValueKind == JsonValueKind.String
                    ? item.GetString()!
                    : throw new NodeException($"{Child(name)}[{i}]", "expected a string"));
                i++;
            }
            return list;
        }

        public Dictionary<string, string>? StringMap(string name)
        {
            if (!TryGet(name, out var v))
            {
                return null;
            }
            if (v.ValueKind != JsonValueKind.Object)
            {
                throw new NodeException(Child(name), "expected an object");
            }
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var p in v.EnumerateObject())
            {
                map[p.Name] = p.Value.ValueKind == JsonValueKind.String
                    ? p.Value.GetString()!
                    : throw new NodeException($"{Child(name)}.{p.Name}", "expected a string");
            }
            return map;
        }

        public Dictionary<string, T>? Map<T>(string name, Func<Node, T> read)
        {
            if (!TryGet(name, out var v))
            {
                return null;
            }
            if (v.ValueKind != JsonValueKind.Object)
            {
                throw new NodeException(Child(name), "expected an object");
            }
            var map = new Dictionary<string, T>(StringComparer.Ordinal);
            foreach (var p in v.EnumerateObject())
            {
                var node = new Node(p.Value, $"{Child(name)}.{p.Name}");
                node.ExpectObject();
                map[p.Name] = read(node);
            }
            return map;
        }

        /// <summary>A field kept as raw JSON (linux.intelRdt: only its presence matters).</summary>
        public JsonElement? Raw(string name) => TryGet(name, out var v) ? v.Clone() : null;

        public string PathText => path;
    }
}
