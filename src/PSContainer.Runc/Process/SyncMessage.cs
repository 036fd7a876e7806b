using System.Globalization;

namespace PSContainer.Runc.Process;

/// <summary>The kinds of message psc-nsexec sends on the sync socket (Native/README.md, "Sync messages").</summary>
public enum SyncKind
{
    /// <summary>"PID n": stage 0 cloned the init (n in the runtime's pid namespace); it waits for "G".</summary>
    Pid,
    /// <summary>"HOOK n": the init reached barrier n and waits for "G".</summary>
    Hook,
    /// <summary>"READY": the init waits on the exec FIFO for `start`.</summary>
    Ready,
    /// <summary>"ERR step errno": a step failed; the process exits 1.</summary>
    Error,
    /// <summary>The socket closed: execve succeeded (or the process died without a word).</summary>
    Closed,
    /// <summary>"SECCOMP" with an fd (SCM_RIGHTS): the seccomp user-notification fd; the process waits for "G".</summary>
    Seccomp,
}

/// <summary>One parsed sync message; <see cref="Fd"/> is an fd that came with it (SCM_RIGHTS), -1 for none.</summary>
public readonly record struct SyncMessage(SyncKind Kind, long Value = 0, int Errno = 0, int Fd = -1)
{
    public static SyncMessage Parse(string text)
    {
        var parts = text.Split(' ');
        return parts[0] switch
        {
            "PID" when parts.Length == 2 => new(SyncKind.Pid, long.Parse(parts[1], CultureInfo.InvariantCulture)),
            "HOOK" when parts.Length == 2 => new(SyncKind.Hook, long.Parse(parts[1], CultureInfo.InvariantCulture)),
            "READY" => new(SyncKind.Ready),
            "SECCOMP" => new(SyncKind.Seccomp),
            "ERR" when parts.Length == 3 => new(SyncKind.Error, long.Parse(parts[1], CultureInfo.InvariantCulture),
                int.Parse(parts[2], CultureInfo.InvariantCulture)),
            _ => throw new RuncException($"psc-nsexec sent an unknown sync message \"{text}\""),
        };
    }
}
