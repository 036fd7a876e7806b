using System.Buffers.Binary;
using PSContainer.Oci;

namespace PSContainer.Runc.Container;

/// <summary>process.scheduler as the <c>struct sched_attr</c> of sched_setattr(2) (include/uapi/linux/sched/types.h).</summary>
public static class SchedulerAttr
{
    public const int Size = 48;

    private static readonly Dictionary<string, uint> Policies = new(StringComparer.Ordinal)
    {
        ["SCHED_OTHER"] = 0, ["SCHED_FIFO"] = 1, ["SCHED_RR"] = 2, ["SCHED_BATCH"] = 3,
        ["SCHED_IDLE"] = 5, ["SCHED_DEADLINE"] = 6,
    };

    private static readonly Dictionary<string, ulong> Flags = new(StringComparer.Ordinal)
    {
        ["SCHED_FLAG_RESET_ON_FORK"] = 0x01, ["SCHED_FLAG_RECLAIM"] = 0x02, ["SCHED_FLAG_DL_OVERRUN"] = 0x04,
        ["SCHED_FLAG_KEEP_POLICY"] = 0x08, ["SCHED_FLAG_KEEP_PARAMS"] = 0x10,
        ["SCHED_FLAG_UTIL_CLAMP_MIN"] = 0x20, ["SCHED_FLAG_UTIL_CLAMP_MAX"] = 0x40,
    };

    /// <summary>The 48 bytes for sched_setattr; a bad policy or flag is an error naming the field.</summary>
    public static byte[] Encode(LinuxScheduler scheduler)
    {
        if (!Policies.TryGetValue(scheduler.Policy, out var policy))
        {
            throw new RuncException(scheduler.Policy == "SCHED_ISO"
                ? "config.json: process.scheduler.policy: SCHED_ISO is not implemented by Linux"
                : $"config.json: process.scheduler.policy: unknown policy \"{scheduler.Policy}\"");
        }
        ulong flags = 0;
        foreach (var (name, i) in (scheduler.Flags ?? []).Select((n, i) => (n, i)))
        {
            flags |= Flags.TryGetValue(name, out var f) ? f
                : throw new RuncException($"config.json: process.scheduler.flags[{i}]: unknown flag \"{name}\"");
        }
        if (scheduler.Nice is < -20 or > 19)
        {
            throw new RuncException($"config.json: process.scheduler.nice: {scheduler.Nice} is outside -20..19");
        }
        var attr = new byte[Size];
        var span = attr.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span[0..], Size);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], policy);
        BinaryPrimitives.WriteUInt64LittleEndian(span[8..], flags);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], scheduler.Nice ?? 0);
        BinaryPrimitives.WriteUInt32LittleEndian(span[20..], (uint)(scheduler.Priority ?? 0));
        BinaryPrimitives.WriteUInt64LittleEndian(span[24..], scheduler.Runtime ?? 0);
        BinaryPrimitives.WriteUInt64LittleEndian(span[32..], scheduler.Deadline ?? 0);
        BinaryPrimitives.WriteUInt64LittleEndian(span[40..], scheduler.Period ?? 0);
        return attr;
    }
}
