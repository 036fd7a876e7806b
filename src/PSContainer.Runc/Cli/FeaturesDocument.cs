using System.Text;
using System.Text.Json;
using PSContainer.Oci;

namespace PSContainer.Runc.Cli;

/// <summary>`features`: what this runtime supports, in the runtime spec's features.md shape (as runc prints it).</summary>
public static class FeaturesDocument
{
    public static readonly string[] MountOptions =
    [
        "async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec", "idmap", "iversion", "lazytime", "loud",
        "mand", "noatime", "nodev", "nodiratime", "noexec", "noiversion", "nolazytime", "nomand", "norelatime",
        "nostrictatime", "nosuid", "nosymfollow", "private", "rbind", "relatime", "remount", "ridmap", "ro", "rprivate",
        "rshared", "rslave", "runbindable", "rw", "shared", "silent", "slave", "strictatime", "suid", "symfollow",
        "sync", "tmpcopyup", "unbindable",
    ];

    public static string Json(IEnumerable<string>? capabilities = null)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("ociVersionMin", "1.0.0");
            w.WriteString("ociVersionMax", ContainerRuntime.OciVersion);
            Array(w, "hooks", ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"]);
            Array(w, "mountOptions", MountOptions);
            w.WriteStartObject("linux");
            Array(w, "namespaces", SpecValidator.NamespaceTypes.Order(StringComparer.Ordinal));
            if (capabilities is not null)
            {
                Array(w, "capabilities", capabilities);
            }
            w.WriteStartObject("cgroup");
            w.WriteBoolean("v1", true);
            w.WriteBoolean("v2", true);
            w.WriteBoolean("systemd", false);
            w.WriteBoolean("systemdUser", false);
            w.WriteEndObject();
            w.WriteStartObject("seccomp");
            w.WriteBoolean("enabled", true);
            w.WriteEndObject();
            w.WriteStartObject("apparmor");
            w.WriteBoolean("enabled", false);
            w.WriteEndObject();
            w.WriteStartObject("selinux");
            w.WriteBoolean("enabled", false);
            w.WriteEndObject();
            w.WriteStartObject("intelRdt");
            w.WriteBoolean("enabled", false);
            w.WriteEndObject();
            w.WriteStartObject("mountExtensions");
            w.WriteStartObject("idmap");
            w.WriteBoolean("enabled", true);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteStartObject("annotations");
            w.WriteString("io.github.pscontainer.psc-runc.version", typeof(FeaturesDocument).Assembly.GetName().Version?.ToString(3));
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Array(Utf8JsonWriter w, string name, IEnumerable<string> items)
    {
        w.WriteStartArray(name);
        foreach (var item in items)
        {
            w.WriteStringValue(item);
        }
        w.WriteEndArray();
    }
}
