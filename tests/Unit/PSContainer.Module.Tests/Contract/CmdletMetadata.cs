using System.Reflection;

namespace PSContainer.Module.Tests.Contract;

/// <summary>
/// A cmdlet's contract as written in the built assembly's metadata. PowerShellStandard.Library
/// is a reference assembly whose attribute constructors are stubs, so instantiated attributes
/// read back as defaults; CustomAttributeData reads the arguments actually compiled in.
/// </summary>
public sealed record CmdletMetadata(
    Type Type,
    string Verb,
    string Noun,
    bool SupportsShouldProcess,
    string? ConfirmImpact,
    string? DefaultParameterSetName,
    IReadOnlyList<string> Aliases,
    IReadOnlyList<Type> OutputTypes,
    IReadOnlyList<ParameterMetadata> Parameters)
{
    public const string AllSets = "__AllParameterSets";
    private const string Sma = "System.Management.Automation.";

    public string Name => Verb + "-" + Noun;

    /// <summary>The built module: the assembly the tests reference, loaded from its file.</summary>
    public static Assembly ModuleAssembly { get; } = typeof(PSContainer.Container).Assembly;

    public static IReadOnlyList<CmdletMetadata> All { get; } = Load();

    private static List<CmdletMetadata> Load() => ModuleAssembly.GetTypes()
        .Select(type => (type, cmdlet: Attribute(type.GetCustomAttributesData(), "CmdletAttribute")))
        .Where(t => t.cmdlet is not null)
        .Select(t => From(t.type, t.cmdlet!))
        .OrderBy(c => c.Name, StringComparer.Ordinal)
        .ToList();

    private static CmdletMetadata From(Type type, CustomAttributeData cmdlet)
    {
        var attributes = type.GetCustomAttributesData();
        var outputTypes = attributes.Where(a => a.AttributeType.FullName == Sma + "OutputTypeAttribute")
            .SelectMany(a => a.ConstructorArguments)
            .SelectMany(arg => arg.Value is IReadOnlyCollection<CustomAttributeTypedArgument> many ? many.Select(m => m.Value) : [arg.Value])
            .OfType<Type>()
            .ToList();
        var parameters = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(ParameterMetadata.From)
            .OfType<ParameterMetadata>()
            .ToList();
        return new CmdletMetadata(
            type,
            (string)cmdlet.ConstructorArguments[0].Value!,
            (string)cmdlet.ConstructorArguments[1].Value!,
            Named(cmdlet, "SupportsShouldProcess") as bool? ?? false,
            Named(cmdlet, "ConfirmImpact") is int impact ? ((ConfirmImpactName)impact).ToString() : null,
            Named(cmdlet, "DefaultParameterSetName") as string,
            StringsOf(attributes, "AliasAttribute"),
            outputTypes,
            parameters);
    }

    internal static CustomAttributeData? Attribute(IEnumerable<CustomAttributeData> attributes, string name) =>
        attributes.FirstOrDefault(a => a.AttributeType.FullName == Sma + name);

    internal static object? Named(CustomAttributeData attribute, string name) =>
        attribute.NamedArguments.Where(n => n.MemberName == name).Select(n => n.TypedValue.Value).FirstOrDefault();

    internal static List<string> StringsOf(IEnumerable<CustomAttributeData> attributes, string name) =>
        attributes.Where(a => a.AttributeType.FullName == Sma + name)
            .SelectMany(a => a.ConstructorArguments)
            .SelectMany(arg => arg.Value is IReadOnlyCollection<CustomAttributeTypedArgument> many ? many.Select(m => m.Value) : [arg.Value])
            .OfType<string>()
            .ToList();

    /// <summary>System.Management.Automation.ConfirmImpact's values (None, Low, Medium, High).</summary>
    private enum ConfirmImpactName
    {
        None,
        Low,
        Medium,
        High,
    }
}

/// <summary>One [Parameter] declaration of a property (a property may have one per parameter set).</summary>
public sealed record ParameterDeclaration(string SetName, bool Mandatory, int? Position, bool ValueFromPipeline, bool ValueFromPipelineByPropertyName, bool ValueFromRemainingArguments);

public sealed record ParameterMetadata(string Name, Type Type, IReadOnlyList<string> Aliases, IReadOnlyList<ParameterDeclaration> Declarations, Type? Completer, bool SupportsWildcards)
{
    public static ParameterMetadata? From(PropertyInfo property)
    {
        var attributes = property.GetCustomAttributesData();
        var declarations = attributes.Where(a => a.AttributeType.FullName == "System.Management.Automation.ParameterAttribute")
            .Select(a => new ParameterDeclaration(
                CmdletMetadata.Named(a, "ParameterSetName") as string ?? CmdletMetadata.AllSets,
                CmdletMetadata.Named(a, "Mandatory") as bool? ?? false,
                CmdletMetadata.Named(a, "Position") is int position && position >= 0 ? position : null,
                CmdletMetadata.Named(a, "ValueFromPipeline") as bool? ?? false,
                CmdletMetadata.Named(a, "ValueFromPipelineByPropertyName") as bool? ?? false,
                CmdletMetadata.Named(a, "ValueFromRemainingArguments") as bool? ?? false))
            .ToList();
        if (declarations.Count == 0)
        {
            return null;
        }
        var completer = CmdletMetadata.Attribute(attributes, "ArgumentCompleterAttribute")?.ConstructorArguments.Select(a => a.Value).OfType<Type>().FirstOrDefault();
        return new ParameterMetadata(property.Name, property.PropertyType, CmdletMetadata.StringsOf(attributes, "AliasAttribute"), declarations, completer,
            CmdletMetadata.Attribute(attributes, "SupportsWildcardsAttribute") is not null);
    }

    public IEnumerable<string> AllNames => Aliases.Prepend(Name);
}
