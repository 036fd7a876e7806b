using System.Buffers.Binary;
using System.Text;
using PSContainer.Runc.Process;
using Xunit;

namespace PSContainer.Runc.Tests.Process;

public class PlanWireTests
{
    [Fact]
    public void The_wire_form_is_the_documented_layout()
    {
        var plan = new Plan()
            .Add(PlanOp.SetHostname, "sethostname box", null, PlanStep.Utf8("box"))
            .Add(PlanOp.SetRlimit, "setrlimit", [7, 1024, -1]);
        var bytes = plan.Serialize();
        Assert.Equal("PSCPLAN1", Encoding.ASCII.GetString(bytes, 0, 8));
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
        var o = 16;
        Assert.Equal((uint)PlanOp.SetHostname, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(o)));
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(o + 4)));
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(o + 40)));
        Assert.Equal("box", Encoding.ASCII.GetString(bytes, o + 44, 3));
        Assert.Equal(0, bytes[o + 47]); // the NUL after each string
        o += 48;
        Assert.Equal((uint)PlanOp.SetRlimit, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(o)));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(o + 4)));
        Assert.Equal(-1L, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(o + 24)));
        Assert.Equal(o + 40, bytes.Length);
    }

    [Fact]
    public void A_step_is_described_by_its_index()
    {
        var plan = new Plan().Add(PlanOp.Mount, "mount proc on /r/proc");
        Assert.Equal("step 0 mount proc on /r/proc", plan.Describe(0));
        Assert.Equal("step 9", plan.Describe(9));
    }

    [Fact]
    public void Sync_messages_parse_and_unknown_ones_are_refused()
    {
        Assert.Equal(new SyncMessage(SyncKind.Pid, 4321), SyncMessage.Parse("PID 4321"));
        Assert.Equal(new SyncMessage(SyncKind.Error, 12, 1), SyncMessage.Parse("ERR 12 1"));
        Assert.Equal(SyncKind.Ready, SyncMessage.Parse("READY").Kind);
        Assert.Equal(new SyncMessage(SyncKind.Hook, 1), SyncMessage.Parse("HOOK 1"));
        Assert.Throws<RuncException>(() => SyncMessage.Parse("HELLO"));
    }

    [Fact]
    public void The_op_codes_match_the_ones_in_nsexec_c()
    {
        // nsexec.c is the other half of the contract: every C# op must be in its enum with the same value.
        var source = File.ReadAllText(Path.Combine(TestSpecs.SourceRoot(), "src/PSContainer.Runc/Native/nsexec.c"));
        foreach (var op in Enum.GetValues<PlanOp>())
        {
            var name = "OP_" + string.Concat(op.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : c.ToString())).ToUpperInvariant();
            name = name.Replace("SET_NS", "SETNS").Replace("SET_HOSTNAME", "SETHOSTNAME").Replace("SET_DOMAINNAME", "SETDOMAINNAME")
                .Replace("SET_RLIMIT", "SETRLIMIT").Replace("SET_GROUPS", "SETGROUPS").Replace("SET_RES_GID", "SETRESGID")
                .Replace("SET_RES_UID", "SETRESUID").Replace("KEEP_CAPS", "KEEPCAPS").Replace("SET_SID", "SETSID")
                .Replace("IO_PRIO", "IOPRIO");
            Assert.Contains($"{name} = {(uint)op}", source, StringComparison.Ordinal);
        }
    }
}
