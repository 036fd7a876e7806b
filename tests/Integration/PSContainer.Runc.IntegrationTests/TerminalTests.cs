using System.Text.Json;
using PSContainer.Interop.Linux;
using PSContainer.Oci;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Runc.IntegrationTests;

/// <summary>Terminal containers: the pty master reaches the caller over --console-socket (SCM_RIGHTS), as with runc.</summary>
public class TerminalTests(BundleFixture fixture) : IClassFixture<BundleFixture>
{
    private static string Id() => "y" + Guid.NewGuid().ToString("N")[..10];

    [RequiresRootFact]
    public void Create_sends_the_pty_master_and_a_shell_answers_on_it()
    {
        using var b = fixture.NewBundle(s =>
        {
            s.Process!.Terminal = true;
            s.Process.Args = ["sh"];
            s.Process.ConsoleSize = new Box { Height = 33, Width = 111 };
        });
        using var console = new FdSocket(Path.Combine(b.Dir, "console.sock"));
        var id = Id();
        var create = Cli.Psc_(b, "create", "--console-socket", console.Path, "-b", b.Dir, id);
        Assert.True(create.ExitCode == 0, create.Stderr);
        var (master, name) = console.Receive();
        try
        {
            Assert.Equal("/dev/pts/0", name);
            Assert.Equal(0, Cli.Psc_(b, "start", id).ExitCode);
            // The quotes keep the echoed input from containing the answer.
            FdSocket.Write(master, "echo h''i; tty; stty size\n");
            var output = FdSocket.ReadUntil(master, "33 111\r\n");
            Assert.Contains("\r\nhi\r\n/dev/pts/0\r\n33 111\r\n", output, StringComparison.Ordinal);

            // exec --tty gets a pty of its own, sized from the process file.
            var process = JsonSerializer.Deserialize(File.ReadAllText(Path.Combine(b.Dir, "config.json")), OciJsonContext.Default.Spec)!.Process!;
            process.Args = ["sh", "-c", "tty; stty size"];
            process.ConsoleSize = new Box { Height = 24, Width = 80 };
            var processFile = Path.Combine(b.Dir, "process.json");
            File.WriteAllText(processFile, JsonSerializer.Serialize(process, OciJsonContext.Default.OciProcess));
            var exec = Cli.Psc_(b, "exec", "--tty", "--console-socket", console.Path, "--process", processFile, id);
            Assert.True(exec.ExitCode == 0, exec.Stderr);
            var (execMaster, execName) = console.Receive();
            try
            {
                Assert.Equal("/dev/pts/1", execName);
                Assert.Equal("/dev/pts/1\r\n24 80\r\n", FdSocket.ReadUntil(execMaster, "24 80\r\n"));
            }
            finally
            {
                Libc.close(execMaster);
            }
        }
        finally
        {
            Libc.close(master);
            Assert.Equal(0, Cli.Psc_(b, "delete", "--force", id).ExitCode);
        }
    }

    [RequiresRootFact]
    public void A_terminal_without_a_console_socket_is_a_clear_error()
    {
        using var b = fixture.NewBundle(s => s.Process!.Terminal = true);
        var r = Cli.Psc_(b, "create", "-b", b.Dir, Id());
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("--console-socket is required", r.Stderr, StringComparison.Ordinal);
    }
}
