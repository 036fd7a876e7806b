namespace PSContainer.Runc.Security.Seccomp;

/// <summary>Seccomp return values (linux/seccomp.h) and the OCI action names that map onto them.</summary>
public static class SeccompAction
{
    public const uint KillProcess = 0x80000000;
    public const uint KillThread = 0x00000000;
    public const uint Trap = 0x00030000;
    public const uint Errno = 0x00050000;
    public const uint UserNotif = 0x7FC00000;
    public const uint Trace = 0x7FF00000;
    public const uint Log = 0x7FFC0000;
    public const uint Allow = 0x7FFF0000;

    /// <summary>SECCOMP_RET_ACTION_FULL: the action part of a return value; the rest is SECCOMP_RET_DATA.</summary>
    public const uint ActionMask = 0xFFFF0000;
    public const uint DataMask = 0x0000FFFF;

    /// <summary>errno used when SCMP_ACT_ERRNO / SCMP_ACT_TRACE carry no errnoRet (as runc does).</summary>
    public const uint DefaultErrno = 1; // EPERM

    /// <summary>
    /// The 32-bit filter return value for an OCI action. <paramref name="errnoRet"/> is the data of
    /// SCMP_ACT_ERRNO and SCMP_ACT_TRACE; it is rejected for the other actions, like runc does.
    /// </summary>
    public static uint ToReturnValue(string action, uint? errnoRet, string where)
    {
        uint Data() => errnoRet switch
        {
            null => DefaultErrno,
            <= DataMask => errnoRet.Value,
            _ => throw new SecurityConfigException($"{where}: errnoRet {errnoRet} does not fit in 16 bits"),
        };
        uint NoData(uint value) => errnoRet is null
            ? value
            : throw new SecurityConfigException($"{where}: errnoRet is only valid with SCMP_ACT_ERRNO and SCMP_ACT_TRACE, not {action}");

        return action switch
        {
            "SCMP_ACT_KILL" or "SCMP_ACT_KILL_THREAD" => NoData(KillThread),
            "SCMP_ACT_KILL_PROCESS" => NoData(KillProcess),
            "SCMP_ACT_TRAP" => NoData(Trap),
            "SCMP_ACT_ERRNO" => Errno | Data(),
            "SCMP_ACT_TRACE" => Trace | Data(),
            "SCMP_ACT_ALLOW" => NoData(Allow),
            "SCMP_ACT_LOG" => NoData(Log),
            "SCMP_ACT_NOTIFY" => NoData(UserNotif),
            "" => throw new SecurityConfigException($"{where}: action is missing"),
            _ => throw new SecurityConfigException($"{where}: unknown seccomp action \"{action}\""),
        };
    }

    /// <summary>A readable form of a return value, e.g. "SCMP_ACT_ERRNO(1)", for messages and tests.</summary>
    public static string Describe(uint value) => (value & ActionMask) switch
    {
        KillProcess => "SCMP_ACT_KILL_PROCESS",
        KillThread => "SCMP_ACT_KILL_THREAD",
        Trap => "SCMP_ACT_TRAP",
        Errno => $"SCMP_ACT_ERRNO({value & DataMask})",
        Trace => $"SCMP_ACT_TRACE({value & DataMask})",
        UserNotif => "SCMP_ACT_NOTIFY",
        Log => "SCMP_ACT_LOG",
        Allow => "SCMP_ACT_ALLOW",
        _ => $"0x{value:x8}",
    };
}
