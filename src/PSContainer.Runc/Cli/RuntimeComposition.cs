using PSContainer.Runc.Container;
using PSContainer.Runc.Security;
using PSContainer.Runc.Security.Seccomp;

namespace PSContainer.Runc.Cli;

/// <summary>Wires the runtime to the real cgroup managers, capability table and seccomp compiler.</summary>
public static class RuntimeComposition
{
    public static RuntimeOptions Options(string root, RuncLog log) => new()
    {
        Root = root,
        Debug = log.IsDebug ? log.Debug : null,
        Warn = log.Warn,
        Cgroups = new CgroupfsProvider(stats: StatsJson),
        CapabilityNumber = CapabilityNumber,
        CompileSeccomp = Compile,
    };

    /// <summary>The cgroup statistics as the "data" of a stats event (runc's field names).</summary>
    public static string StatsJson(Cgroups.ICgroupManager manager) =>
        System.Text.Json.JsonSerializer.Serialize(manager.GetStats(), RuncJsonContext.Default.CgroupStats);

    /// <summary>The OCI capability name ("CAP_KILL") to its number; null when unknown.</summary>
    public static int? CapabilityNumber(string name) =>
        name.StartsWith("CAP_", StringComparison.Ordinal) && Capabilities.TryParse(name, out var n) ? n : null;

    public static (byte[] Program, long Flags) Compile(Oci.LinuxSeccomp seccomp)
    {
        try
        {
            // With SCMP_ACT_NOTIFY the flags carry NEW_LISTENER: psc-nsexec passes the notification
            // fd back and the runtime hands it to linux.seccomp.listenerPath (SeccompAgent).
            var program = SeccompCompiler.CompileProgram(seccomp);
            return (program.Filter, (long)program.Flags);
        }
        catch (SecurityConfigException e)
        {
            throw new RuncException($"linux.seccomp: {e.Message}");
        }
    }
}
