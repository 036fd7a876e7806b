using System.Reflection;
using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;

namespace PSContainer.Module.Tests.Contract;

/// <summary>
/// The files that ship next to PSContainer.dll (manifest, format and types files, MAML and about
/// help) agree with what the built assembly holds.
/// </summary>
public partial class ModuleFilesContractTests
{
    private static readonly string ModuleSource = Path.Combine(ModuleRepository.Root, "src", "PSContainer.Module");
    private static readonly Dictionary<string, object?> Manifest = Psd1Reader.ReadFile(Path.Combine(ModuleRepository.Root, "PSContainer.psd1"));
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    private static string[] Strings(string key) => ((object?[])Manifest[key]!).Cast<string>().ToArray();

    [Fact]
    public void The_Manifest_Exports_Exactly_The_Cmdlets_And_Aliases_In_The_Dll()
    {
        Assert.Equal(CmdletMetadata.All.Select(c => c.Name).Order(StringComparer.Ordinal), Strings("CmdletsToExport").Order(StringComparer.Ordinal));
        Assert.Equal(CmdletMetadata.All.SelectMany(c => c.Aliases).Order(StringComparer.Ordinal), Strings("AliasesToExport").Order(StringComparer.Ordinal));
        Assert.Empty(Strings("FunctionsToExport"));
        Assert.Empty(Strings("VariablesToExport"));
    }

    [Fact]
    public void Aliases_Are_Docker_Style_Names_That_No_Cmdlet_Has()
    {
        var cmdlets = CmdletMetadata.All.Select(c => c.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var alias in Strings("AliasesToExport"))
        {
            Assert.DoesNotContain(alias, cmdlets);
            Assert.Matches("^[A-Z][a-z]+-Container", alias);
        }
        Assert.Contains("Pull-ContainerImage", Strings("AliasesToExport"));
    }

    [Fact]
    public void The_Manifest_Describes_A_Core_Binary_Module_For_The_Framework_It_Is_Built_For()
    {
        Assert.Equal(Path.GetFileName(CmdletMetadata.ModuleAssembly.Location), Manifest["RootModule"]);
        Assert.Equal(["Core"], Strings("CompatiblePSEditions"));
        var framework = CmdletMetadata.ModuleAssembly.GetCustomAttribute<TargetFrameworkAttribute>()!.FrameworkName;
        Assert.Equal(".NETCoreApp,Version=v10.0", framework);
        // PowerShell 7.6 is the release that runs on .NET 10; an older one cannot load a net10.0 module.
        Assert.Equal("7.6", Manifest["PowerShellVersion"]);
        Assert.Matches(@"^\d+\.\d+\.\d+$", (string)Manifest["ModuleVersion"]!);
        Assert.True(Guid.TryParse((string)Manifest["GUID"]!, out _));
        var psData = (Dictionary<string, object?>)((Dictionary<string, object?>)Manifest["PrivateData"]!)["PSData"]!;
        Assert.Contains("PSEdition_Core", ((object?[])psData["Tags"]!).Cast<string>());
        Assert.NotNull(psData["ProjectUri"]);
    }

    [Fact]
    public void Format_And_Types_Files_Named_By_The_Manifest_Exist_And_Are_Copied_By_The_Build()
    {
        Assert.Equal(["PSContainer.Format.ps1xml"], Strings("FormatsToProcess"));
        Assert.Equal(["PSContainer.Types.ps1xml"], Strings("TypesToProcess"));
        foreach (var file in Strings("FormatsToProcess").Concat(Strings("TypesToProcess")))
        {
            Assert.True(File.Exists(Path.Combine(ModuleSource, file)), file);
        }
        var build = File.ReadAllText(Path.Combine(ModuleRepository.Root, "build", "PSContainer.Build.proj"));
        Assert.Contains("src/PSContainer.Module/*.ps1xml", build, StringComparison.Ordinal);
        Assert.Contains("src/PSContainer.Module/en-US/", build, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_Output_Type_Has_A_View_And_Every_View_Names_A_Real_Type_And_Members()
    {
        var format = XDocument.Load(Path.Combine(ModuleSource, "PSContainer.Format.ps1xml"));
        var views = format.Descendants("View").ToList();
        var viewTypes = views.Select(v => (string)v.Element("ViewSelectedBy")!.Element("TypeName")!).ToHashSet();
        var outputs = CmdletMetadata.All.SelectMany(c => c.OutputTypes).Where(t => t.Assembly == CmdletMetadata.ModuleAssembly).Distinct();
        foreach (var output in outputs)
        {
            Assert.Contains(output.FullName!, viewTypes);
        }
        foreach (var view in views)
        {
            var typeName = (string)view.Element("ViewSelectedBy")!.Element("TypeName")!;
            var type = CmdletMetadata.ModuleAssembly.GetType(typeName);
            Assert.True(type is { IsPublic: true }, $"view {view.Element("Name")!.Value}: {typeName} is not a public type in PSContainer.dll");
            foreach (var property in view.Descendants("PropertyName").Select(p => p.Value))
            {
                Assert.True(type!.GetProperty(property) is not null, $"{typeName} has no property {property}");
            }
            var table = view.Element("TableControl");
            if (table is not null)
            {
                Assert.Equal(table.Descendants("TableColumnHeader").Count(), table.Descendants("TableColumnItem").Count());
            }
            foreach (var script in view.Descendants("ScriptBlock").Select(s => s.Value))
            {
                AssertStaticCallsExist(script);
                foreach (Match member in DollarMember().Matches(script))
                {
                    Assert.True(type!.GetProperty(member.Groups[1].Value) is not null, $"{typeName} has no property {member.Groups[1].Value} (used in a script block)");
                }
            }
        }
    }

    [Fact]
    public void The_Container_And_Image_Tables_Show_What_Docker_Shows()
    {
        var format = XDocument.Load(Path.Combine(ModuleSource, "PSContainer.Format.ps1xml"));
        string[] Headers(string type) => format.Descendants("View")
            .First(v => (string)v.Element("ViewSelectedBy")!.Element("TypeName")! == type && v.Element("TableControl") is not null)
            .Descendants("Label").Select(l => l.Value).ToArray();
        Assert.Equal(["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"], Headers("PSContainer.Container"));
        Assert.Equal(["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"], Headers("PSContainer.ContainerImage"));
    }

    [Fact]
    public void The_Types_File_Extends_Real_Types_With_Members_That_Resolve()
    {
        var types = XDocument.Load(Path.Combine(ModuleSource, "PSContainer.Types.ps1xml"));
        foreach (var type in types.Descendants("Type"))
        {
            var name = (string)type.Element("Name")!;
            var clr = CmdletMetadata.ModuleAssembly.GetType(name);
            Assert.True(clr is not null, $"{name} is not a type in PSContainer.dll");
            foreach (var alias in type.Descendants("ReferencedMemberName"))
            {
                Assert.NotNull(clr!.GetProperty(alias.Value));
            }
            foreach (var script in type.Descendants("GetScriptBlock").Select(s => s.Value))
            {
                AssertStaticCallsExist(script);
                foreach (Match member in ThisMember().Matches(script))
                {
                    Assert.True(clr!.GetProperty(member.Groups[1].Value) is not null, $"{name} has no property {member.Groups[1].Value}");
                }
            }
        }
    }

    private static void AssertStaticCallsExist(string script)
    {
        foreach (Match call in StaticCall().Matches(script))
        {
            var type = CmdletMetadata.ModuleAssembly.GetType(call.Groups[1].Value);
            Assert.True(type is { IsPublic: true }, $"[{call.Groups[1].Value}] is not a public type in PSContainer.dll");
            Assert.True(type!.GetMethods(BindingFlags.Public | BindingFlags.Static).Any(m => m.Name == call.Groups[2].Value),
                $"[{call.Groups[1].Value}]::{call.Groups[2].Value} does not exist");
        }
    }

    private static IEnumerable<XElement> HelpCommands() =>
        XDocument.Load(Path.Combine(ModuleSource, "en-US", "PSContainer.dll-Help.xml")).Root!.Elements(Command + "command");

    [Fact]
    public void Every_Cmdlet_Has_Maml_Help_With_Every_Parameter_And_An_Example()
    {
        var help = HelpCommands().ToDictionary(c => c.Element(Command + "details")!.Element(Command + "name")!.Value);
        Assert.Equal(CmdletMetadata.All.Select(c => c.Name).Order(StringComparer.Ordinal), help.Keys.Order(StringComparer.Ordinal));
        foreach (var cmdlet in CmdletMetadata.All)
        {
            var entry = help[cmdlet.Name];
            var synopsis = entry.Element(Command + "details")!.Element(Maml + "description")!.Value.Trim();
            Assert.True(synopsis.Length > 10, $"{cmdlet.Name}: no synopsis");
            Assert.False(string.IsNullOrWhiteSpace(entry.Element(Maml + "description")?.Value), $"{cmdlet.Name}: no description");
            var documented = entry.Element(Command + "parameters")!.Elements(Command + "parameter")
                .ToDictionary(p => p.Element(Maml + "name")!.Value, p => p.Element(Maml + "description")?.Value.Trim() ?? "");
            foreach (var parameter in cmdlet.Parameters)
            {
                Assert.True(documented.TryGetValue(parameter.Name, out var text) && text.Length > 5, $"{cmdlet.Name} -{parameter.Name} is not documented");
            }
            Assert.Empty(documented.Keys.Except(cmdlet.Parameters.Select(p => p.Name)).Except(["WhatIf", "Confirm"]));
            Assert.Equal(cmdlet.SupportsShouldProcess, documented.ContainsKey("WhatIf"));
            var examples = entry.Element(Command + "examples")!.Elements(Command + "example").ToList();
            Assert.NotEmpty(examples);
            Assert.All(examples, e =>
            {
                Assert.Contains(cmdlet.Name, e.Element(Dev + "code")!.Value, StringComparison.Ordinal);
                Assert.False(string.IsNullOrWhiteSpace(e.Element(Dev + "remarks")!.Value));
            });
            var returns = entry.Element(Command + "returnValues")!.Descendants(Dev + "type").Select(t => t.Element(Maml + "name")!.Value).ToList();
            Assert.Equal(cmdlet.OutputTypes.Select(t => t.FullName).Order(StringComparer.Ordinal), returns.Where(r => r != "None").Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void The_About_Topic_Indexes_Every_Cmdlet_And_Alias()
    {
        var about = File.ReadAllText(Path.Combine(ModuleSource, "en-US", "about_PSContainer.help.txt"));
        Assert.StartsWith("TOPIC\n    about_PSContainer", about, StringComparison.Ordinal);
        foreach (var name in CmdletMetadata.All.Select(c => c.Name).Concat(Strings("AliasesToExport")))
        {
            Assert.True(Regex.IsMatch(about, @"\b" + Regex.Escape(name) + @"\b"), $"about_PSContainer does not mention {name}");
        }
    }

    [GeneratedRegex(@"\[(PSContainer[\w.]*)\]::(\w+)")]
    private static partial Regex StaticCall();

    [GeneratedRegex(@"\$_\.(\w+)")]
    private static partial Regex DollarMember();

    [GeneratedRegex(@"\$this\.(\w+)")]
    private static partial Regex ThisMember();
}
