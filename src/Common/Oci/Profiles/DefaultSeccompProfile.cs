namespace PSContainer.Oci.Profiles;

/// <summary>
/// The seccomp profile containers get unless they ask for another one: the effect of Docker's
/// documented default profile, written here as code. It is an allow-list (everything else fails
/// with EPERM) of the syscalls ordinary programs use, plus:
/// <list type="bullet">
/// <item>clone and unshare may not create namespaces, and clone3 fails with ENOSYS (its flags sit
/// in memory seccomp cannot read; ENOSYS makes libc fall back to clone) — unless CAP_SYS_ADMIN;</item>
/// <item>personality only for the harmless personas; socket never for AF_VSOCK;</item>
/// <item>syscalls that only make sense with a capability (mount with CAP_SYS_ADMIN, reboot and kexec
/// with CAP_SYS_BOOT, module loading with CAP_SYS_MODULE, ...) are allowed only when the container
/// has that capability;</item>
/// <item>syscalls that are not namespaced or were repeatedly exploitable (keyctl, add_key,
/// request_key, userfaultfd without CAP_SYS_PTRACE, io_uring, old module and sysctl interfaces)
/// stay denied.</item>
/// </list>
/// </summary>
public static class DefaultSeccompProfile
{
    private const uint Eperm = 1, Enosys = 38;

    /// <summary>CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET.</summary>
    private const ulong NamespaceFlags = 0x7E020000;

    /// <summary>The clone flags plus CLONE_NEWTIME (0x80), which only unshare and clone3 accept.</summary>
    private const ulong UnshareNamespaceFlags = NamespaceFlags | 0x80;

    private const ulong AfVsock = 40;

    /// <summary>The capabilities a container gets by default (Docker's default set).</summary>
    public static IReadOnlyList<string> DefaultCapabilities { get; } =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ];

    /// <summary>The profile for a container with <see cref="DefaultCapabilities"/>.</summary>
    public static LinuxSeccomp Create() => Create(DefaultCapabilities);

    /// <summary>
    /// The profile for a container whose bounding set is <paramref name="capabilities"/>
    /// ("CAP_SYS_ADMIN" or "SYS_ADMIN", any case).
    /// </summary>
    public static LinuxSeccomp Create(IReadOnlyCollection<string> capabilities)
    {
        ArgumentNullException.ThrowIfNull(capabilities);
        var caps = capabilities.Select(Normalise).ToHashSet(StringComparer.Ordinal);
        bool Has(string cap) => caps.Contains(cap);

        var rules = new List<LinuxSyscall> { Allow(AlwaysAllowed) };

        // personality(2): Linux, 32-bit Linux, UNAME26 variants, and the query value 0xffffffff.
        foreach (var persona in new ulong[] { 0x0, 0x8, 0x20000, 0x20008, 0xffffffff })
        {
            rules.Add(Allow(["personality"], Arg(0, "SCMP_CMP_EQ", persona)));
        }
        rules.Add(Allow(["socket"], Arg(0, "SCMP_CMP_NE", AfVsock)));

        if (Has("CAP_SYS_ADMIN"))
        {
            rules.Add(Allow(["clone", "clone3", "unshare", "setns", "mount", "umount", "umount2", "pivot_root",
                "mount_setattr", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree",
                "swapon", "swapoff", "quotactl", "quotactl_fd", "lookup_dcookie", "fanotify_init", "bpf",
                "perf_event_open", "name_to_handle_at", "syslog", "vm86", "vm86old", "sethostname", "setdomainname"]));
        }
        else
        {
            rules.Add(Allow(["clone"], Arg(0, "SCMP_CMP_MASKED_EQ", NamespaceFlags, 0)));
            rules.Add(Allow(["unshare"], Arg(0, "SCMP_CMP_MASKED_EQ", UnshareNamespaceFlags, 0)));
            rules.Add(new LinuxSyscall { Names = ["clone3"], Action = "SCMP_ACT_ERRNO", ErrnoRet = Enosys });
        }
        AllowWith(rules, Has("CAP_SYS_BOOT"), "reboot", "kexec_load", "kexec_file_load");
        AllowWith(rules, Has("CAP_SYS_MODULE"), "init_module", "finit_module", "delete_module");
        AllowWith(rules, Has("CAP_SYS_TIME"), "settimeofday", "stime", "clock_settime", "clock_settime64", "clock_adjtime", "clock_adjtime64");
        AllowWith(rules, Has("CAP_SYS_PACCT"), "acct");
        AllowWith(rules, Has("CAP_SYS_RAWIO"), "iopl", "ioperm");
        AllowWith(rules, Has("CAP_SYS_TTY_CONFIG"), "vhangup");
        AllowWith(rules, Has("CAP_SYS_NICE"), "get_mempolicy", "set_mempolicy", "set_mempolicy_home_node", "mbind", "move_pages", "migrate_pages");
        AllowWith(rules, Has("CAP_SYS_PTRACE"), "userfaultfd", "pidfd_getfd");
        AllowWith(rules, Has("CAP_SYS_CHROOT"), "chroot");
        AllowWith(rules, Has("CAP_DAC_READ_SEARCH"), "open_by_handle_at");
        // With CAP_SYS_ADMIN these are already allowed above; the narrower capabilities grant one each.
        AllowWith(rules, Has("CAP_SYSLOG") && !Has("CAP_SYS_ADMIN"), "syslog");
        AllowWith(rules, Has("CAP_BPF") && !Has("CAP_SYS_ADMIN"), "bpf");
        AllowWith(rules, Has("CAP_PERFMON") && !Has("CAP_SYS_ADMIN"), "perf_event_open");

        return new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ERRNO",
            DefaultErrnoRet = Eperm,
            Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
            Syscalls = rules,
        };
    }

    private static void AllowWith(List<LinuxSyscall> rules, bool granted, params string[] names)
    {
        if (granted)
        {
            rules.Add(Allow(names));
        }
    }

    private static LinuxSyscall Allow(IEnumerable<string> names, params LinuxSeccompArg[] args) => new()
    {
        Names = [.. names],
        Action = "SCMP_ACT_ALLOW",
        Args = args.Length == 0 ? null : [.. args],
    };

    private static LinuxSeccompArg Arg(uint index, string op, ulong value, ulong valueTwo = 0) =>
        new() { Index = index, Op = op, Value = value, ValueTwo = valueTwo };

    private static string Normalise(string capability)
    {
        var upper = capability.Trim().ToUpperInvariant();
        return upper.StartsWith("CAP_", StringComparison.Ordinal) ? upper : "CAP_" + upper;
    }

    /// <summary>
    /// Syscalls every container may make: file and directory I/O, memory, processes and signals
    /// (fork without new namespaces is handled by the clone rule), time reading, sockets
    /// (socket itself is checked for AF_VSOCK), IPC within the container's namespaces, scheduling
    /// of its own tasks, ptrace of its own tasks (safe with seccomp since Linux 4.8), and the 32-bit
    /// variants (…64, socketcall, ipc) used by i386 programs.
    /// </summary>
    private static readonly string[] AlwaysAllowed =
    [
        // files and directories
        "access", "faccessat", "faccessat2", "chdir", "fchdir", "chmod", "fchmod", "fchmodat", "fchmodat2",
        "chown", "chown32", "fchown", "fchown32", "fchownat", "lchown", "lchown32", "close", "close_range",
        "creat", "dup", "dup2", "dup3", "fadvise64", "fadvise64_64", "fallocate", "fcntl", "fcntl64",
        "fdatasync", "fsync", "flock", "fstat", "fstat64", "fstatat64", "newfstatat", "fstatfs", "fstatfs64",
        "statfs", "statfs64", "stat", "stat64", "lstat", "lstat64", "statx", "ftruncate", "ftruncate64",
        "truncate", "truncate64", "getcwd", "getdents", "getdents64", "readdir", "link", "linkat", "symlink",
        "symlinkat", "unlink", "unlinkat", "rename", "renameat", "renameat2", "mkdir", "mkdirat", "rmdir",
        "mknod", "mknodat", "open", "openat", "openat2", "read", "readv", "pread64", "preadv", "preadv2",
        "write", "writev", "pwrite64", "pwritev", "pwritev2", "lseek", "_llseek", "readlink", "readlinkat",
        "sendfile", "sendfile64", "copy_file_range", "splice", "tee", "vmsplice", "sync", "syncfs",
        "sync_file_range", "umask", "utime", "utimes", "utimensat", "utimensat_time64", "futimesat",
        "getxattr", "lgetxattr", "fgetxattr", "setxattr", "lsetxattr", "fsetxattr", "listxattr",
        "llistxattr", "flistxattr", "removexattr", "lremovexattr", "fremovexattr",
        "getxattrat", "setxattrat", "listxattrat", "removexattrat", "ioctl", "select", "_newselect",
        "pselect6", "pselect6_time64", "poll", "ppoll", "ppoll_time64", "epoll_create", "epoll_create1",
        "epoll_ctl", "epoll_wait", "epoll_pwait", "epoll_pwait2", "eventfd", "eventfd2", "inotify_init",
        "inotify_init1", "inotify_add_watch", "inotify_rm_watch", "fanotify_mark", "pipe", "pipe2",
        "memfd_create", "memfd_secret", "signalfd", "signalfd4", "timerfd_create", "timerfd_settime",
        "timerfd_settime64", "timerfd_gettime", "timerfd_gettime64", "landlock_create_ruleset",
        "landlock_add_rule", "landlock_restrict_self", "cachestat", "statmount", "listmount",
        // memory
        "brk", "mmap", "mmap2", "munmap", "mremap", "mprotect", "pkey_mprotect", "pkey_alloc", "pkey_free",
        "madvise", "process_madvise", "mincore", "mlock", "mlock2", "mlockall", "munlock", "munlockall",
        "msync", "remap_file_pages", "membarrier", "map_shadow_stack", "mseal", "futex", "futex_time64",
        "futex_waitv", "futex_wake", "futex_wait", "futex_requeue", "get_robust_list", "set_robust_list",
        "set_tid_address", "rseq", "arch_prctl", "set_thread_area", "get_thread_area", "modify_ldt",
        // processes, credentials, signals
        "execve", "execveat", "exit", "exit_group", "fork", "vfork", "wait4", "waitid", "waitpid",
        "kill", "tkill", "tgkill", "pidfd_open", "pidfd_send_signal", "rt_sigaction", "rt_sigpending",
        "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
        "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sigaction", "sigaltstack", "signal", "sigpending",
        "sigprocmask", "sigreturn", "sigsuspend", "pause", "getpid", "getppid", "gettid", "getpgid",
        "getpgrp", "setpgid", "getsid", "setsid", "getuid", "getuid32", "geteuid", "geteuid32", "getgid",
        "getgid32", "getegid", "getegid32", "getresuid", "getresuid32", "getresgid", "getresgid32",
        "getgroups", "getgroups32", "setuid", "setuid32", "setgid", "setgid32", "setreuid", "setreuid32",
        "setregid", "setregid32", "setresuid", "setresuid32", "setresgid", "setresgid32", "setfsuid",
        "setfsuid32", "setfsgid", "setfsgid32", "setgroups", "setgroups32", "capget", "capset", "prctl",
        "getrlimit", "ugetrlimit", "setrlimit", "prlimit64", "getrusage", "times", "getpriority",
        "setpriority", "ioprio_get", "ioprio_set", "sched_getaffinity", "sched_setaffinity",
        "sched_getattr", "sched_setattr", "sched_getparam", "sched_setparam", "sched_getscheduler",
        "sched_setscheduler", "sched_get_priority_max", "sched_get_priority_min", "sched_rr_get_interval",
        "sched_rr_get_interval_time64", "sched_yield", "ptrace", "kcmp", "process_vm_readv",
        "process_vm_writev", "process_mrelease", "seccomp", "restart_syscall", "uname", "olduname",
        "oldolduname", "sysinfo", "getrandom", "getcpu", "alarm", "setitimer", "getitimer",
        // time (reading and sleeping)
        "clock_getres", "clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep",
        "clock_nanosleep_time64", "gettimeofday", "time", "nanosleep", "timer_create", "timer_delete",
        "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64", "adjtimex",
        // sockets (socket itself is conditional) and IPC in the container's namespaces
        "accept", "accept4", "bind", "connect", "listen", "getpeername", "getsockname", "getsockopt",
        "setsockopt", "recvfrom", "recvmsg", "recvmmsg", "recvmmsg_time64", "sendto",
        "sendmsg", "sendmmsg", "shutdown", "socketpair", "socketcall", "ipc", "msgctl", "msgget", "msgrcv",
        "msgsnd", "semctl", "semget", "semop", "semtimedop", "semtimedop_time64", "shmat", "shmctl",
        "shmdt", "shmget", "mq_open", "mq_unlink", "mq_timedsend", "mq_timedsend_time64", "mq_timedreceive",
        "mq_timedreceive_time64", "mq_notify", "mq_getsetattr", "io_setup", "io_destroy", "io_getevents",
        "io_pgetevents", "io_pgetevents_time64", "io_submit", "io_cancel",
    ];
}
