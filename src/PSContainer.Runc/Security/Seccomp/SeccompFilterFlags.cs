namespace PSContainer.Runc.Security.Seccomp;

/// <summary>The flags of seccomp(SECCOMP_SET_MODE_FILTER, flags, prog) (linux/seccomp.h).</summary>
[Flags]
public enum SeccompFilterFlags : uint
{
    None = 0,
    /// <summary>SECCOMP_FILTER_FLAG_TSYNC: install on every thread of the process.</summary>
    Tsync = 1,
    /// <summary>SECCOMP_FILTER_FLAG_LOG: log every action except ALLOW.</summary>
    Log = 2,
    /// <summary>SECCOMP_FILTER_FLAG_SPEC_ALLOW: do not force speculative store bypass mitigation.</summary>
    SpecAllow = 4,
    /// <summary>SECCOMP_FILTER_FLAG_NEW_LISTENER: return a user-notification fd (needed for SCMP_ACT_NOTIFY).</summary>
    NewListener = 8,
    /// <summary>SECCOMP_FILTER_FLAG_TSYNC_ESRCH.</summary>
    TsyncEsrch = 16,
    /// <summary>SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV.</summary>
    WaitKillableRecv = 32,
}

/// <summary>Parses the OCI flag names into <see cref="SeccompFilterFlags"/>.</summary>
public static class SeccompFilterFlagNames
{
    public static SeccompFilterFlags Parse(IEnumerable<string>? names)
    {
        var flags = SeccompFilterFlags.None;
        var i = 0;
        foreach (var name in names ?? [])
        {
            flags |= name switch
            {
                "SECCOMP_FILTER_FLAG_TSYNC" => SeccompFilterFlags.Tsync,
                "SECCOMP_FILTER_FLAG_LOG" => SeccompFilterFlags.Log,
                "SECCOMP_FILTER_FLAG_SPEC_ALLOW" => SeccompFilterFlags.SpecAllow,
                "SECCOMP_FILTER_FLAG_NEW_LISTENER" => SeccompFilterFlags.NewListener,
                "SECCOMP_FILTER_FLAG_TSYNC_ESRCH" => SeccompFilterFlags.TsyncEsrch,
                "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" => SeccompFilterFlags.WaitKillableRecv,
                _ => throw new SecurityConfigException($"linux.seccomp.flags[{i}]: unknown seccomp flag \"{name}\""),
            };
            i++;
        }
        return flags;
    }
}
