using System.Runtime.InteropServices;
using PSContainer.Interop.Linux;
using PSContainer.Oci;

namespace PSContainer.Runc.Cgroups.V2;

/// <summary>
/// Loads the device program of <see cref="DeviceFilterProgram"/> and attaches it to a cgroup v2
/// directory with bpf(2). On update, the new program is attached before the old ones are detached,
/// so the cgroup is never without a filter.
/// </summary>
public static unsafe class DeviceFilter
{
    // linux/bpf.h
    private const int BpfProgLoad = 5, BpfProgAttach = 8, BpfProgDetach = 9, BpfProgGetFdById = 13, BpfProgQuery = 16;
    private const uint BpfProgTypeCgroupDevice = 15, BpfCgroupDevice = 6, BpfFAllowMulti = 2;
    private const int ORdOnly = 0, ODirectory = 0x10000, OCloseOnExec = 0x80000;

    /// <summary>Replaces the device program of cgroup directory <paramref name="cgroupDirectory"/> with one for <paramref name="rules"/>.</summary>
    public static void Install(string cgroupDirectory, IReadOnlyList<LinuxDeviceCgroup> rules)
    {
        var program = EbpfInstruction.ToBytes(DeviceFilterProgram.Generate(rules));
        var cgroupFd = Libc.cgroup_open(cgroupDirectory, ORdOnly | ODirectory | OCloseOnExec);
        if (cgroupFd < 0)
        {
            throw SyscallException.FromLastError("open cgroup directory", cgroupDirectory);
        }
        try
        {
            var oldPrograms = AttachedPrograms(cgroupFd, cgroupDirectory);
            var programFd = Load(program);
            try
            {
                Attach(cgroupFd, programFd, cgroupDirectory);
            }
            finally
            {
                Libc.close(programFd); // the attachment holds its own reference
            }
            foreach (var old in oldPrograms)
            {
                try
                {
                    Detach(cgroupFd, old, cgroupDirectory);
                }
                finally
                {
                    Libc.close(old);
                }
            }
        }
        finally
        {
            Libc.close(cgroupFd);
        }
    }

    private static int Load(byte[] program)
    {
        var attr = stackalloc byte[128];
        new Span<byte>(attr, 128).Clear();
        var license = "Apache-2.0\0"u8;
        var log = new byte[64 * 1024];
        fixed (byte* instructions = program)
        fixed (byte* licensePtr = license)
        fixed (byte* logPtr = log)
        {
            *(uint*)(attr + 0) = BpfProgTypeCgroupDevice;
            *(uint*)(attr + 4) = (uint)(program.Length / EbpfInstruction.Size);
            *(ulong*)(attr + 8) = (ulong)instructions;
            *(ulong*)(attr + 16) = (ulong)licensePtr;
            *(uint*)(attr + 24) = 1; // log_level: keep the verifier's reason if it refuses
            *(uint*)(attr + 28) = (uint)log.Length;
            *(ulong*)(attr + 32) = (ulong)logPtr;
            var fd = Libc.syscall_bpf(Libc.SYS_bpf, BpfProgLoad, attr, 128);
            if (fd < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                var reason = System.Text.Encoding.UTF8.GetString(log).TrimEnd('\0').Trim();
                throw new SyscallException("bpf(BPF_PROG_LOAD) device filter" + (reason.Length > 0 ? $" [verifier: {reason}]" : ""), null, errno);
            }
            return (int)fd;
        }
    }

    private static void Attach(int cgroupFd, int programFd, string directory)
    {
        var attr = stackalloc byte[128];
        new Span<byte>(attr, 128).Clear();
        *(uint*)(attr + 0) = (uint)cgroupFd;
        *(uint*)(attr + 4) = (uint)programFd;
        *(uint*)(attr + 8) = BpfCgroupDevice;
        *(uint*)(attr + 12) = BpfFAllowMulti;
        if (Libc.syscall_bpf(Libc.SYS_bpf, BpfProgAttach, attr, 128) < 0)
        {
            throw SyscallException.FromLastError("bpf(BPF_PROG_ATTACH) device filter to", directory);
        }
    }

    private static void Detach(int cgroupFd, int programFd, string directory)
    {
        var attr = stackalloc byte[128];
        new Span<byte>(attr, 128).Clear();
        *(uint*)(attr + 0) = (uint)cgroupFd;
        *(uint*)(attr + 4) = (uint)programFd;
        *(uint*)(attr + 8) = BpfCgroupDevice;
        if (Libc.syscall_bpf(Libc.SYS_bpf, BpfProgDetach, attr, 128) < 0)
        {
            throw SyscallException.FromLastError("bpf(BPF_PROG_DETACH) old device filter from", directory);
        }
    }

    /// <summary>File descriptors of the device programs attached to the cgroup itself now.</summary>
    private static List<int> AttachedPrograms(int cgroupFd, string directory)
    {
        const int capacity = 64;
        var ids = stackalloc uint[capacity];
        var attr = stackalloc byte[128];
        new Span<byte>(attr, 128).Clear();
        *(uint*)(attr + 0) = (uint)cgroupFd;
        *(uint*)(attr + 4) = BpfCgroupDevice;
        *(ulong*)(attr + 16) = (ulong)ids;
        *(uint*)(attr + 24) = capacity;
        if (Libc.syscall_bpf(Libc.SYS_bpf, BpfProgQuery, attr, 128) < 0)
        {
            throw SyscallException.FromLastError("bpf(BPF_PROG_QUERY) device filters of", directory);
        }
        var count = Math.Min(*(uint*)(attr + 24), capacity);
        var fds = new List<int>();
        var byId = stackalloc byte[128];
        for (var i = 0; i < count; i++)
        {
            new Span<byte>(byId, 128).Clear();
            *(uint*)byId = ids[i];
            var fd = Libc.syscall_bpf(Libc.SYS_bpf, BpfProgGetFdById, byId, 128);
            if (fd < 0)
            {
                var error = SyscallException.FromLastError($"bpf(BPF_PROG_GET_FD_BY_ID) program {ids[i]} of", directory);
                fds.ForEach(f => Libc.close(f));
                throw error;
            }
            fds.Add((int)fd);
        }
        return fds;
    }
}
