namespace PSContainer.Runc.Security.Seccomp;

/// <summary>
/// Builds a classic BPF program with symbolic forward jumps. Conditional jumps in classic BPF
/// reach at most 255 instructions ahead (jt/jf are u8), so <see cref="Assemble"/> lays the program
/// out and, for every branch whose target is further away, inserts an unconditional <c>ja</c>
/// (32-bit offset) right after the jump and points the branch at it; it repeats until every branch
/// fits, because each insertion can push other branches past the limit.
/// </summary>
public sealed class BpfAssembler
{
    /// <summary>A jump target; place it with <see cref="Mark"/>.</summary>
    public sealed class Label
    {
        internal Label(string name) => Name = name;

        internal string Name { get; }

        public override string ToString() => Name;
    }

    private sealed class Node
    {
        public ushort Code;
        public uint K;
        public Label? True;      // conditional jumps: the true branch; ja: the target
        public Label? False;     // conditional jumps: the false branch
        public Label? Defines;   // a label marker (no instruction)
    }

    private readonly List<Node> _nodes = [];
    private int _labelCount;

    public Label NewLabel(string hint = "L") => new($"{hint}{_labelCount++}");

    /// <summary>Places <paramref name="label"/> at the next instruction.</summary>
    public void Mark(Label label) => _nodes.Add(new Node { Defines = label });

    /// <summary>A = the 32-bit word at <paramref name="offset"/> in struct seccomp_data.</summary>
    public void LoadAbsolute(uint offset) => _nodes.Add(new Node { Code = BpfInstruction.LdWordAbs, K = offset });

    /// <summary>A &amp;= <paramref name="mask"/>.</summary>
    public void And(uint mask) => _nodes.Add(new Node { Code = BpfInstruction.AluAndK, K = mask });

    public void Return(uint value) => _nodes.Add(new Node { Code = BpfInstruction.RetK, K = value });

    public void JumpAlways(Label target) => _nodes.Add(new Node { Code = BpfInstruction.Ja, True = target });

    /// <summary>A conditional jump (<see cref="BpfInstruction.JeqK"/>, JgtK, JgeK, JsetK) against <paramref name="k"/>.</summary>
    public void Jump(ushort code, uint k, Label whenTrue, Label whenFalse)
    {
        if (code is not (BpfInstruction.JeqK or BpfInstruction.JgtK or BpfInstruction.JgeK or BpfInstruction.JsetK))
        {
            throw new ArgumentException($"0x{code:x2} is not a conditional jump", nameof(code));
        }
        _nodes.Add(new Node { Code = code, K = k, True = whenTrue, False = whenFalse });
    }

    /// <summary>Resolves labels (inserting trampolines for far branches) and returns the program.</summary>
    public BpfInstruction[] Assemble()
    {
        var nodes = new List<Node>(_nodes);
        while (true)
        {
            var positions = Layout(nodes, out var index);
            var changed = false;
            for (var i = nodes.Count - 1; i >= 0; i--)
            {
                var node = nodes[i];
                if (node.Defines is not null || node.Code == BpfInstruction.Ja || node.True is null)
                {
                    continue;
                }
                var at = index[i];
                var farTrue = Distance(positions, node.True, at) > byte.MaxValue;
                var farFalse = Distance(positions, node.False!, at) > byte.MaxValue;
                if (!farTrue && !farFalse)
                {
                    continue;
                }
                // Insert the trampolines directly after the jump: they are 0 and 1 instructions away.
                var insertAt = i + 1;
                if (farTrue)
                {
                    var hop = NewLabel("far");
                    nodes.Insert(insertAt++, new Node { Defines = hop });
                    nodes.Insert(insertAt++, new Node { Code = BpfInstruction.Ja, True = node.True });
                    node.True = hop;
                }
                if (farFalse)
                {
                    var hop = NewLabel("far");
                    nodes.Insert(insertAt++, new Node { Defines = hop });
                    nodes.Insert(insertAt, new Node { Code = BpfInstruction.Ja, True = node.False });
                    node.False = hop;
                }
                changed = true;
            }
            if (!changed)
            {
                return Emit(nodes, positions, index);
            }
        }
    }

    private static Dictionary<Label, int> Layout(List<Node> nodes, out int[] index)
    {
        var positions = new Dictionary<Label, int>();
        index = new int[nodes.Count];
        var pc = 0;
        for (var i = 0; i < nodes.Count; i++)
        {
            index[i] = pc;
            if (nodes[i].Defines is { } label)
            {
                if (!positions.TryAdd(label, pc))
                {
                    throw new InvalidOperationException($"BPF label {label} placed twice");
                }
            }
            else
            {
                pc++;
            }
        }
        return positions;
    }

    private static int Distance(Dictionary<Label, int> positions, Label target, int from)
    {
        if (!positions.TryGetValue(target, out var to))
        {
            throw new InvalidOperationException($"BPF label {target} is used but never placed");
        }
        var distance = to - from - 1;
        return distance >= 0
            ? distance
            : throw new InvalidOperationException($"BPF jump from {from} to {target} at {to} goes backwards");
    }

    private static BpfInstruction[] Emit(List<Node> nodes, Dictionary<Label, int> positions, int[] index)
    {
        var program = new List<BpfInstruction>(nodes.Count);
        for (var i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            if (node.Defines is not null)
            {
                continue;
            }
            var at = index[i];
            program.Add(node switch
            {
                { Code: BpfInstruction.Ja } => new BpfInstruction(node.Code, 0, 0, (uint)Distance(positions, node.True!, at)),
                { True: not null } => new BpfInstruction(node.Code,
                    (byte)Distance(positions, node.True, at), (byte)Distance(positions, node.False!, at), node.K),
                _ => new BpfInstruction(node.Code, 0, 0, node.K),
            });
        }
        if (program.Count == 0 || program[^1].Code != BpfInstruction.RetK)
        {
            throw new InvalidOperationException("a BPF program must end with a return");
        }
        // A label placed after the final instruction would make a jump leave the program.
        foreach (var (label, pc) in positions)
        {
            if (pc >= program.Count)
            {
                throw new InvalidOperationException($"BPF label {label} is placed after the last instruction");
            }
        }
        return [.. program];
    }
}
