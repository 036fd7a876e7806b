using PSContainer.Oci;

namespace PSContainer.Runc.Security.Seccomp;

/// <summary>
/// Compiles the OCI <c>linux.seccomp</c> section to a classic BPF seccomp filter.
/// <para>
/// Layout of the program: check <c>seccomp_data.arch</c> against each selected architecture
/// (anything else is killed, like libseccomp's default bad-arch action); on AUDIT_ARCH_X86_64 split
/// x32 calls (bit 30 of the number set) from native ones. Each architecture section then returns
/// ENOSYS for numbers above the largest one the config names (so newer syscalls fail the way
/// glibc can fall back from, as runc does), dispatches on the syscall number, evaluates the rules
/// of that syscall in config order (first match wins; a rule matches when all its argument
/// comparisons hold) and otherwise returns the default action.
/// </para>
/// <para>
/// Arguments are 64-bit and compared unsigned, as two 32-bit halves (high half first); on i386
/// only the low half exists, as in libseccomp. Like runc, a rule that compares the same argument
/// twice is split into one rule per comparison (they are OR-ed), and names no architecture knows
/// are skipped with a debug note, while unknown actions, operators, architectures and flags are errors.
/// </para>
/// </summary>
public static class SeccompCompiler
{
    private const uint OffsetNr = 0, OffsetArch = 4, OffsetArgs = 16;
    private const uint Enosys = 38;

    /// <summary>The raw <c>struct sock_filter</c> bytes of <paramref name="config"/> (8 bytes per instruction).</summary>
    public static byte[] Compile(LinuxSeccomp config) => CompileProgram(config).Filter;

    /// <summary>
    /// The flags value for seccomp(2) that goes with <see cref="Compile"/>: the config's flags plus
    /// NEW_LISTENER when a rule uses SCMP_ACT_NOTIFY. Validates what it reads, without compiling.
    /// </summary>
    public static uint FlagsValue(LinuxSeccomp config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var flags = SeccompFilterFlagNames.Parse(config.Flags);
        var notify = ParseRules(config.Syscalls).Any(r => (r.Action & SeccompAction.ActionMask) == SeccompAction.UserNotif);
        return (uint)(notify ? flags | SeccompFilterFlags.NewListener : flags);
    }

    /// <summary>Compiles <paramref name="config"/>; <paramref name="debug"/> receives notes about skipped syscalls.</summary>
    public static SeccompProgram CompileProgram(LinuxSeccomp config, Action<string>? debug = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var defaultAction = SeccompAction.ToReturnValue(config.DefaultAction, config.DefaultErrnoRet, "linux.seccomp.defaultAction");
        if ((defaultAction & SeccompAction.ActionMask) == SeccompAction.UserNotif)
        {
            throw new SecurityConfigException("linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
        }
        var flags = SeccompFilterFlagNames.Parse(config.Flags);
        var architectures = ParseArchitectures(config.Architectures);
        var rules = ParseRules(config.Syscalls);

        if (rules.Any(r => (r.Action & SeccompAction.ActionMask) == SeccompAction.UserNotif))
        {
            if (string.IsNullOrEmpty(config.ListenerPath))
            {
                throw new SecurityConfigException("linux.seccomp.listenerPath: required when a rule uses SCMP_ACT_NOTIFY");
            }
            flags |= SeccompFilterFlags.NewListener;
        }

        var skipped = new List<string>();
        foreach (var name in rules.Select(r => r.Name).Distinct(StringComparer.Ordinal))
        {
            if (!architectures.Any(a => SeccompArchitectures.TryGetSyscallNumber(a, name, out _)))
            {
                skipped.Add(name);
                debug?.Invoke($"seccomp: syscall \"{name}\" is unknown on {string.Join(", ", architectures)}; skipping it");
            }
        }

        var emitter = new Emitter(defaultAction, rules);
        var program = emitter.Emit(architectures);
        if (program.Length > BpfInstruction.MaxInstructions)
        {
            throw new SecurityConfigException(
                $"linux.seccomp: the filter needs {program.Length} BPF instructions, more than the kernel's limit of {BpfInstruction.MaxInstructions}");
        }
        return new SeccompProgram(program, flags, skipped);
    }

    private static List<SeccompArchitecture> ParseArchitectures(List<string>? names)
    {
        if (names is null || names.Count == 0)
        {
            return [SeccompArchitecture.X86_64];
        }
        var result = new List<SeccompArchitecture>();
        for (var i = 0; i < names.Count; i++)
        {
            var arch = SeccompArchitectures.Parse(names[i], $"linux.seccomp.architectures[{i}]");
            if (!result.Contains(arch))
            {
                result.Add(arch);
            }
        }
        return result;
    }

    /// <summary>One syscall name with one conjunction of comparisons, in config order.</summary>
    private sealed record Rule(string Name, uint Action, IReadOnlyList<Comparison> Args);

    private sealed record Comparison(int Index, ComparisonOp Op, ulong Value, ulong ValueTwo);

    private enum ComparisonOp { NotEqual, Less, LessOrEqual, Equal, GreaterOrEqual, Greater, MaskedEqual }

    private static List<Rule> ParseRules(List<LinuxSyscall>? syscalls)
    {
        var rules = new List<Rule>();
        for (var i = 0; i < (syscalls?.Count ?? 0); i++)
        {
            var syscall = syscalls![i];
            var where = $"linux.seccomp.syscalls[{i}]";
            if (syscall.Names is null || syscall.Names.Count == 0)
            {
                throw new SecurityConfigException($"{where}.names: at least one syscall name is required");
            }
            var action = SeccompAction.ToReturnValue(syscall.Action, syscall.ErrnoRet, $"{where}.action");
            var args = new List<Comparison>();
            for (var j = 0; j < (syscall.Args?.Count ?? 0); j++)
            {
                args.Add(ParseComparison(syscall.Args![j], $"{where}.args[{j}]"));
            }
            if (action == SeccompAction.UserNotif && syscall.Names.Contains("write"))
            {
                // The runtime itself writes to report the start; a notify rule on write would hang it.
                throw new SecurityConfigException($"{where}: SCMP_ACT_NOTIFY cannot be used for the write syscall");
            }
            // Comparing one argument twice in a rule means "any of them" (runc adds a rule per comparison).
            var alternatives = args.GroupBy(a => a.Index).Any(g => g.Count() > 1)
                ? args.Select(a => (IReadOnlyList<Comparison>)[a]).ToList()
                : [args];
            foreach (var name in syscall.Names)
            {
                if (string.IsNullOrWhiteSpace(name))
                {
                    throw new SecurityConfigException($"{where}.names: empty syscall name");
                }
                rules.AddRange(alternatives.Select(conditions => new Rule(name, action, conditions)));
            }
        }
        return rules;
    }

    private static Comparison ParseComparison(LinuxSeccompArg arg, string where)
    {
        if (arg.Index > 5)
        {
            throw new SecurityConfigException($"{where}.index: {arg.Index} is out of range (syscalls have arguments 0-5)");
        }
        var op = arg.Op switch
        {
            "SCMP_CMP_NE" => ComparisonOp.NotEqual,
            "SCMP_CMP_LT" => ComparisonOp.Less,
            "SCMP_CMP_LE" => ComparisonOp.LessOrEqual,
            "SCMP_CMP_EQ" => ComparisonOp.Equal,
            "SCMP_CMP_GE" => ComparisonOp.GreaterOrEqual,
            "SCMP_CMP_GT" => ComparisonOp.Greater,
            "SCMP_CMP_MASKED_EQ" => ComparisonOp.MaskedEqual,
            _ => throw new SecurityConfigException($"{where}.op: unknown seccomp operator \"{arg.Op}\""),
        };
        return new Comparison((int)arg.Index, op, arg.Value, arg.ValueTwo);
    }

    /// <summary>Generates the instructions; one instance per compilation.</summary>
    private sealed class Emitter(uint defaultAction, List<Rule> rules)
    {
        private readonly BpfAssembler _asm = new();
        private readonly Dictionary<uint, BpfAssembler.Label> _returns = [];

        public BpfInstruction[] Emit(List<SeccompArchitecture> architectures)
        {
            var badArch = ReturnLabel(SeccompAction.KillProcess);
            var native = architectures.Contains(SeccompArchitecture.X86_64);
            var x32 = architectures.Contains(SeccompArchitecture.X32);
            var i386 = architectures.Contains(SeccompArchitecture.X86);

            _asm.LoadAbsolute(OffsetArch);
            var x86_64Family = _asm.NewLabel("family64_");
            var i386Section = _asm.NewLabel("i386_");
            if (native || x32)
            {
                var next = _asm.NewLabel();
                _asm.Jump(BpfInstruction.JeqK, SeccompArchitectures.AuditArchX86_64, x86_64Family, next);
                _asm.Mark(next);
            }
            if (i386)
            {
                var next = _asm.NewLabel();
                _asm.Jump(BpfInstruction.JeqK, SeccompArchitectures.AuditArchI386, i386Section, next);
                _asm.Mark(next);
            }
            _asm.JumpAlways(badArch);

            if (native || x32)
            {
                var nativeSection = native ? _asm.NewLabel("x86_64_") : badArch;
                var x32Section = x32 ? _asm.NewLabel("x32_") : badArch;
                var highNumbers = _asm.NewLabel();
                _asm.Mark(x86_64Family);
                _asm.LoadAbsolute(OffsetNr);
                _asm.Jump(BpfInstruction.JgeK, SeccompArchitectures.X32SyscallBit, highNumbers, nativeSection);
                // nr == -1 (a syscall skipped by a tracer) is not an x32 call: treat it as native.
                _asm.Mark(highNumbers);
                _asm.Jump(BpfInstruction.JeqK, uint.MaxValue, nativeSection, x32Section);
                if (native)
                {
                    Section(nativeSection, SeccompArchitecture.X86_64);
                }
                if (x32)
                {
                    Section(x32Section, SeccompArchitecture.X32);
                }
            }
            if (i386)
            {
                Section(i386Section, SeccompArchitecture.X86);
            }
            foreach (var (value, label) in _returns)
            {
                _asm.Mark(label);
                _asm.Return(value);
            }
            return _asm.Assemble();
        }

        private BpfAssembler.Label ReturnLabel(uint value)
        {
            if (!_returns.TryGetValue(value, out var label))
            {
                label = _asm.NewLabel("ret_");
                _returns.Add(value, label);
            }
            return label;
        }

        private void Section(BpfAssembler.Label start, SeccompArchitecture arch)
        {
            var byNumber = new SortedDictionary<uint, List<Rule>>();
            foreach (var rule in rules)
            {
                if (SeccompArchitectures.TryGetSyscallNumber(arch, rule.Name, out var nr))
                {
                    if (!byNumber.TryGetValue((uint)nr, out var list))
                    {
                        byNumber.Add((uint)nr, list = []);
                    }
                    list.Add(rule);
                }
            }

            _asm.Mark(start);
            _asm.LoadAbsolute(OffsetNr);
            var defaultAllows = (defaultAction & SeccompAction.ActionMask) is SeccompAction.Allow or SeccompAction.Log;
            if (!defaultAllows && byNumber.Count > 0)
            {
                var known = _asm.NewLabel();
                _asm.Jump(BpfInstruction.JgtK, byNumber.Keys.Max(), ReturnLabel(SeccompAction.Errno | Enosys), known);
                _asm.Mark(known);
            }

            var bodies = new List<(BpfAssembler.Label Label, List<Rule> Rules)>();
            foreach (var (nr, list) in byNumber)
            {
                var next = _asm.NewLabel();
                if (list[0].Args.Count == 0)
                {
                    _asm.Jump(BpfInstruction.JeqK, nr, ReturnLabel(list[0].Action), next);
                }
                else
                {
                    var body = _asm.NewLabel($"nr{nr}_");
                    bodies.Add((body, list));
                    _asm.Jump(BpfInstruction.JeqK, nr, body, next);
                }
                _asm.Mark(next);
            }
            _asm.JumpAlways(ReturnLabel(defaultAction));

            var narrow = SeccompArchitectures.Has32BitArguments(arch);
            foreach (var (label, list) in bodies)
            {
                _asm.Mark(label);
                var reachedUnconditional = false;
                foreach (var rule in list)
                {
                    if (rule.Args.Count == 0)
                    {
                        _asm.JumpAlways(ReturnLabel(rule.Action));
                        reachedUnconditional = true;
                        break;
                    }
                    var fail = _asm.NewLabel("fail");
                    foreach (var comparison in rule.Args)
                    {
                        EmitComparison(comparison, narrow, fail);
                    }
                    _asm.JumpAlways(ReturnLabel(rule.Action));
                    _asm.Mark(fail);
                }
                if (!reachedUnconditional)
                {
                    _asm.JumpAlways(ReturnLabel(defaultAction));
                }
            }
        }

        /// <summary>Falls through when the comparison holds, jumps to <paramref name="fail"/> when not.</summary>
        private void EmitComparison(Comparison c, bool narrow, BpfAssembler.Label fail)
        {
            var low = OffsetArgs + (uint)(8 * c.Index);
            var high = low + 4;
            var match = _asm.NewLabel("match");
            var valueLow = (uint)c.Value;
            var valueHigh = (uint)(c.Value >> 32);

            if (narrow)
            {
                _asm.LoadAbsolute(low);
                Last(c, valueLow, (uint)c.ValueTwo, match, fail);
                _asm.Mark(match);
                return;
            }

            var lowHalf = _asm.NewLabel("low");
            _asm.LoadAbsolute(high);
            switch (c.Op)
            {
                case ComparisonOp.Equal:
                    _asm.Jump(BpfInstruction.JeqK, valueHigh, lowHalf, fail);
                    break;
                case ComparisonOp.NotEqual:
                    _asm.Jump(BpfInstruction.JeqK, valueHigh, lowHalf, match);
                    break;
                case ComparisonOp.Greater or ComparisonOp.GreaterOrEqual:
                    Split(valueHigh, whenAbove: match, whenBelow: fail, lowHalf);
                    break;
                case ComparisonOp.Less or ComparisonOp.LessOrEqual:
                    Split(valueHigh, whenAbove: fail, whenBelow: match, lowHalf);
                    break;
                case ComparisonOp.MaskedEqual:
                    _asm.And((uint)(c.Value >> 32));
                    _asm.Jump(BpfInstruction.JeqK, (uint)(c.ValueTwo >> 32), lowHalf, fail);
                    break;
            }
            _asm.Mark(lowHalf);
            _asm.LoadAbsolute(low);
            Last(c, valueLow, (uint)c.ValueTwo, match, fail);
            _asm.Mark(match);
        }

        // High halves decide unless they are equal; then the low halves do.
        private void Split(uint valueHigh, BpfAssembler.Label whenAbove, BpfAssembler.Label whenBelow, BpfAssembler.Label whenEqual)
        {
            var notAbove = _asm.NewLabel();
            _asm.Jump(BpfInstruction.JgtK, valueHigh, whenAbove, notAbove);
            _asm.Mark(notAbove);
            _asm.Jump(BpfInstruction.JeqK, valueHigh, whenEqual, whenBelow);
        }

        /// <summary>The comparison of one 32-bit half already in A (the low half, or the whole argument on i386).</summary>
        private void Last(Comparison c, uint value, uint valueTwoLow, BpfAssembler.Label match, BpfAssembler.Label fail)
        {
            switch (c.Op)
            {
                case ComparisonOp.Equal: _asm.Jump(BpfInstruction.JeqK, value, match, fail); break;
                case ComparisonOp.NotEqual: _asm.Jump(BpfInstruction.JeqK, value, fail, match); break;
                case ComparisonOp.Greater: _asm.Jump(BpfInstruction.JgtK, value, match, fail); break;
                case ComparisonOp.GreaterOrEqual: _asm.Jump(BpfInstruction.JgeK, value, match, fail); break;
                case ComparisonOp.Less: _asm.Jump(BpfInstruction.JgeK, value, fail, match); break;
                case ComparisonOp.LessOrEqual: _asm.Jump(BpfInstruction.JgtK, value, fail, match); break;
                case ComparisonOp.MaskedEqual:
                    _asm.And(value);
                    _asm.Jump(BpfInstruction.JeqK, valueTwoLow, match, fail);
                    break;
            }
        }
    }
}
