using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using PSContainer.Module.Client;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>
/// Tab completion for names the engine knows. Each completer asks the engine (the -Endpoint
/// already typed, else the default) with a short timeout and completes nothing on any failure:
/// completion must never print an error or hang the prompt.
/// </summary>
public abstract class EngineArgumentCompleter : IArgumentCompleter
{
    private readonly CompletionKind _kind;

    protected EngineArgumentCompleter(CompletionKind kind) => _kind = kind;

    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var endpoint = fakeBoundParameters?["Endpoint"] as string;
        var candidates = CompletionSource.Complete(_kind, endpoint, wordToComplete ?? "", CompletionSource.DefaultTimeout);
        return candidates.Select(c => new CompletionResult(Quote(c.Text), c.Text, CompletionResultType.ParameterValue, c.ToolTip));
    }

    private static string Quote(string text) =>
        text.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"' or '$' or '`' or '(' or ')' or '{' or '}' or ';' or ',' or '&' or '|' or '@' or '#')
            ? "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'"
            : text;
}

public sealed class ContainerNameCompleter : EngineArgumentCompleter
{
    public ContainerNameCompleter() : base(CompletionKind.Container) { }
}

public sealed class RunningContainerNameCompleter : EngineArgumentCompleter
{
    public RunningContainerNameCompleter() : base(CompletionKind.RunningContainer) { }
}

public sealed class ImageReferenceCompleter : EngineArgumentCompleter
{
    public ImageReferenceCompleter() : base(CompletionKind.Image) { }
}

public sealed class VolumeNameCompleter : EngineArgumentCompleter
{
    public VolumeNameCompleter() : base(CompletionKind.Volume) { }
}

public sealed class NetworkNameCompleter : EngineArgumentCompleter
{
    public NetworkNameCompleter() : base(CompletionKind.Network) { }
}
