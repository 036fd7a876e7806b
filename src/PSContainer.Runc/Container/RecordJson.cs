using System.Globalization;
using System.Text.Json;
using PSContainer.Oci;

namespace PSContainer.Runc.Container;

/// <summary>
/// state.json, written and read by hand with Utf8JsonWriter and JsonDocument: it is on the path of
/// every command, and the serializer's metadata would cost hundreds of JIT compilations per process
/// (see SpecReader). The config is embedded as the JSON it came from.
/// </summary>
public static class RecordJson
{
    public static byte[] Write(ContainerRecord r)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("id", r.Id);
            w.WriteNumber("pid", r.Pid);
            w.WriteNumber("pidStartTime", r.PidStartTime);
            w.WriteString("bundle", r.Bundle);
            w.WriteString("rootfs", r.Rootfs);
            w.WriteString("created", r.Created.ToString("o", CultureInfo.InvariantCulture));
            w.WriteString("owner", r.Owner);
            if (r.CgroupPath is not null)
            {
                w.WriteString("cgroupPath", r.CgroupPath);
            }
            w.WriteStartArray("namespaces");
            foreach (var ns in r.Namespaces)
            {
                w.WriteStringValue(ns);
            }
            w.WriteEndArray();
            w.WriteBoolean("started", r.Started);
            w.WritePropertyName("config");
            w.WriteRawValue(r.ConfigJson ??= JsonSerializer.SerializeToUtf8Bytes(r.Config, OciJsonContext.Default.Spec), skipInputValidation: true);
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>Reads state.json; a missing or mistyped field is a <see cref="JsonException"/>.</summary>
    public static ContainerRecord Read(ReadOnlyMemory<byte> json)
    {
        using var doc = JsonDocument.Parse(json);
        var e = doc.RootElement;
        var config = e.GetProperty("config");
        var record = new ContainerRecord
        {
            Id = e.GetProperty("id").GetString() ?? "",
            Pid = e.GetProperty("pid").GetInt32(),
            PidStartTime = e.GetProperty("pidStartTime").GetUInt64(),
            Bundle = e.GetProperty("bundle").GetString() ?? "",
            Rootfs = e.GetProperty("rootfs").GetString() ?? "",
            Created = DateTimeOffset.Parse(e.GetProperty("created").GetString() ?? "", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
            Owner = e.GetProperty("owner").GetString() ?? "",
            CgroupPath = e.TryGetProperty("cgroupPath", out var cg) ? cg.GetString() : null,
            Namespaces = [.. e.GetProperty("namespaces").EnumerateArray().Select(n => n.GetString() ?? "")],
            Started = e.GetProperty("started").GetBoolean(),
            Config = SpecReader.Read(config, "state.json config"),
            ConfigJson = System.Text.Encoding.UTF8.GetBytes(config.GetRawText()),
        };
        return record;
    }
}
