using System.Runtime.InteropServices;
using System.Text.Json;
using PSContainer.Interop.Linux;
using PSContainer.Oci;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Runc.IntegrationTests;

/// <summary>
/// SCMP_ACT_NOTIFY: psc-runc hands the notification fd and the container process state to the
/// agent at listenerPath; a test agent answers the container's mkdir with an error of its choice.
/// </summary>
public unsafe partial class SeccompNotifyTests(BundleFixture fixture) : IClassFixture<BundleFixture>
{
    private const uint NotifRecv = 0xc0502100, NotifSend = 0xc0182101; // SECCOMP_IOCTL_NOTIF_RECV/SEND (linux/seccomp.h)
    private const int NotifSize = 80, RespSize = 24, Exdev = 18;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int ioctl(int fd, nuint request, byte* argument);

    private static string Id() => "s" + Guid.NewGuid().ToString("N")[..10];

    [RequiresRootFact]
    public void The_agent_gets_the_fd_and_state_and_answers_the_notified_syscall()
    {
        var id = Id();
        var agentPath = Path.Combine(fixture.Dir, id + ".sock");
        using var b = fixture.NewBundle(s =>
        {
            s.Process!.Args = ["sh", "-c", "mkdir /tmp/notified 2>&1; echo status=$?; ls /tmp"];
            s.Linux!.Seccomp = JsonSerializer.Deserialize($$"""
                {"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],
                 "listenerPath":"{{agentPath}}","listenerMetadata":"meta-42",
                 "syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_NOTIFY"}]}
                """, OciJsonContext.Default.LinuxSeccomp);
        });
        using var agent = new FdSocket(agentPath);
        string? stateJson = null;
        int? notifiedPid = null;
        var agentTask = Task.Run(() =>
        {
            var (fd, payload) = agent.Receive(payloadBytes: 1 << 16);
            try
            {
                stateJson = payload;
                // One notification: the container's mkdir. Refuse it with EXDEV, which mkdir never returns by itself.
                var notif = new byte[NotifSize];
                fixed (byte* n = notif)
                {
                    if (ioctl(fd, NotifRecv, n) < 0)
                    {
                        throw SyscallException.FromLastError("ioctl SECCOMP_IOCTL_NOTIF_RECV", "notification fd");
                    }
                    notifiedPid = BitConverter.ToInt32(notif, 8);
                    var resp = new byte[RespSize];
                    BitConverter.GetBytes(BitConverter.ToUInt64(notif, 0)).CopyTo(resp, 0); // id
                    BitConverter.GetBytes(-Exdev).CopyTo(resp, 16);                         // error
                    fixed (byte* r = resp)
                    {
                        if (ioctl(fd, NotifSend, r) < 0)
                        {
                            throw SyscallException.FromLastError("ioctl SECCOMP_IOCTL_NOTIF_SEND", "notification fd");
                        }
                    }
                }
            }
            finally
            {
                Libc.close(fd);
            }
        });

        var run = Cli.Psc_(b, "run", "-b", b.Dir, id);
        Assert.True(agentTask.Wait(TimeSpan.FromMinutes(2)), "the agent got nothing");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("Invalid cross-device link", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("status=1", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("notified", run.Stdout.Split("status=")[1], StringComparison.Ordinal);

        using var state = JsonDocument.Parse(stateJson!);
        var root = state.RootElement;
        Assert.Equal(["seccompFd"], root.GetProperty("fds").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("meta-42", root.GetProperty("metadata").GetString());
        Assert.Equal(id, root.GetProperty("state").GetProperty("id").GetString());
        Assert.Equal("creating", root.GetProperty("state").GetProperty("status").GetString());
        Assert.Equal(root.GetProperty("pid").GetInt32(), root.GetProperty("state").GetProperty("pid").GetInt32());
        Assert.True(notifiedPid > 0);
    }

    [RequiresRootFact]
    public void An_unreachable_agent_fails_create_and_leaves_nothing()
    {
        var id = Id();
        using var b = fixture.NewBundle(s =>
        {
            s.Process!.Args = ["true"];
            s.Linux!.Seccomp = JsonSerializer.Deserialize("""
                {"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/nonexistent/agent.sock",
                 "syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_NOTIFY"}]}
                """, OciJsonContext.Default.LinuxSeccomp);
        });
        var r = Cli.Psc_(b, "run", "-b", b.Dir, id);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("linux.seccomp.listenerPath: connect to /nonexistent/agent.sock", r.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(b.PscRoot, id)));
    }
}
