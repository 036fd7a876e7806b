using PSContainer.Runc.Security.Seccomp;
using Xunit;

namespace PSContainer.Runc.Tests.Security;

public sealed class BpfAssemblerTests
{
    [Fact]
    public void ShortBranchesAreEncodedDirectly()
    {
        var asm = new BpfAssembler();
        var yes = asm.NewLabel();
        var no = asm.NewLabel();
        asm.LoadAbsolute(0);
        asm.Jump(BpfInstruction.JeqK, 7, yes, no);
        asm.Mark(no);
        asm.Return(1);
        asm.Mark(yes);
        asm.Return(2);
        var program = asm.Assemble();
        Assert.Equal(
            [new(BpfInstruction.LdWordAbs, 0, 0, 0), new(BpfInstruction.JeqK, 1, 0, 7), new(BpfInstruction.RetK, 0, 0, 1), new(BpfInstruction.RetK, 0, 0, 2)],
            program);
    }

    [Theory]
    [InlineData(254)]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(1000)]
    public void FarBranchesGoThroughUnconditionalJumps(int gap)
    {
        var asm = new BpfAssembler();
        var far = asm.NewLabel();
        var near = asm.NewLabel();
        asm.LoadAbsolute(0);
        asm.Jump(BpfInstruction.JeqK, 5, far, near);
        asm.Mark(near);
        var next = asm.NewLabel();
        asm.Jump(BpfInstruction.JgtK, 100, far, next);
        asm.Mark(next);
        for (var i = 0; i < gap; i++)
        {
            asm.Return(1000 + (uint)i);
        }
        asm.Mark(far);
        asm.Return(42);
        var program = asm.Assemble();

        Assert.Equal(42u, ClassicBpfInterpreter.Run(program, new SeccompData(5, 0)));
        Assert.Equal(42u, ClassicBpfInterpreter.Run(program, new SeccompData(101, 0)));
        Assert.Equal(1000u, ClassicBpfInterpreter.Run(program, new SeccompData(6, 0)));
        Assert.Equal(gap > 254, program.Any(i => i.Code == BpfInstruction.Ja));
    }

    [Fact]
    public void UnplacedLabelsAndBackwardJumpsAreRejected()
    {
        var asm = new BpfAssembler();
        asm.JumpAlways(asm.NewLabel());
        asm.Return(0);
        Assert.Contains("never placed", Assert.Throws<InvalidOperationException>(asm.Assemble).Message);

        var back = new BpfAssembler();
        var top = back.NewLabel();
        back.Mark(top);
        back.LoadAbsolute(0);
        back.JumpAlways(top);
        back.Return(0);
        Assert.Contains("backwards", Assert.Throws<InvalidOperationException>(back.Assemble).Message);
    }
}
