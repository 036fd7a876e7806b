using System.Reflection;
using PSContainer.Module.Cmdlets;
using Xunit;

namespace PSContainer.Module.Tests.Contract;

/// <summary>The module's PowerShell contract, read from the built PSContainer.dll's attribute metadata.</summary>
public class CmdletContractTests
{
    public static TheoryData<string> CmdletNames()
    {
        var data = new TheoryData<string>();
        foreach (var cmdlet in CmdletMetadata.All)
        {
            data.Add(cmdlet.Name);
        }
        return data;
    }

    private static CmdletMetadata Get(string name) => CmdletMetadata.All.Single(c => c.Name == name);

    [Fact]
    public void The_Assembly_Holds_Every_Cmdlet_The_Issue_Asks_For()
    {
        string[] required =
        [
            "New-Container", "Start-Container", "Stop-Container", "Restart-Container", "Suspend-Container", "Resume-Container",
            "Remove-Container", "Wait-Container", "Get-Container", "Rename-Container", "Update-Container", "Get-ContainerLog",
            "Invoke-ContainerCommand", "Enter-ContainerSession", "Copy-ContainerItem", "Get-ContainerProcess",
            "Get-ContainerStatistic", "Get-ContainerChange", "Export-Container",
            "Get-ContainerImage", "Install-ContainerImage", "Publish-ContainerImage", "Import-ContainerImage", "Export-ContainerImage",
            "Add-ContainerImageTag", "Remove-ContainerImage", "ConvertTo-ContainerImage", "Get-ContainerImageHistory", "Build-ContainerImage",
            "Connect-ContainerRegistry", "Disconnect-ContainerRegistry",
            "Get-ContainerVolume", "New-ContainerVolume", "Remove-ContainerVolume",
            "Get-ContainerNetwork", "New-ContainerNetwork", "Remove-ContainerNetwork", "Connect-ContainerNetwork", "Disconnect-ContainerNetwork",
            "Get-ContainerEngine", "Get-ContainerEvent",
        ];
        Assert.Empty(required.Except(CmdletMetadata.All.Select(c => c.Name)));
        Assert.EndsWith("PSContainer.dll", CmdletMetadata.ModuleAssembly.Location, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void Verbs_Are_Approved_And_Nouns_Are_Prefixed(string name)
    {
        var cmdlet = Get(name);
        Assert.Contains(cmdlet.Verb, ApprovedVerbs.All);
        Assert.Contains("Container", cmdlet.Noun, StringComparison.Ordinal);
        Assert.True(cmdlet.Type.IsPublic && cmdlet.Type.IsSealed, $"{name}: cmdlet classes are public and sealed");
        Assert.Equal(cmdlet.Verb + cmdlet.Noun + "Command", cmdlet.Type.Name);
    }

    [Fact]
    public void The_Embedded_Verb_List_Covers_Every_Verb_Constant_In_The_PowerShell_Reference()
    {
        var sma = typeof(System.Management.Automation.VerbsCommon).Assembly;
        var constants = sma.GetTypes().Where(t => t.Name.StartsWith("Verbs", StringComparison.Ordinal) && t.IsPublic)
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static)).Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!).ToList();
        Assert.True(constants.Count > 90);
        Assert.Empty(constants.Except(ApprovedVerbs.All));
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void Cmdlets_That_Change_State_Support_WhatIf_And_Confirm_With_The_Right_Impact(string name)
    {
        var cmdlet = Get(name);
        if (ApprovedVerbs.ReadOnly.Contains(cmdlet.Verb))
        {
            Assert.False(cmdlet.SupportsShouldProcess, $"{name} only reads; -WhatIf would mean nothing");
            return;
        }
        Assert.True(cmdlet.SupportsShouldProcess, $"{name} changes state and must support -WhatIf/-Confirm");
        var dataLoss = cmdlet.Noun.StartsWith("Unused", StringComparison.Ordinal) || cmdlet.Noun == "StoppedContainer" || name == "Remove-ContainerVolume";
        Assert.Equal(dataLoss ? "High" : "Medium", cmdlet.ConfirmImpact);
        Assert.True(cmdlet.Type.GetMethods(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.DeclaredOnly).Length > 0);
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void Parameter_Sets_Are_Valid_And_Unambiguous(string name)
    {
        var cmdlet = Get(name);
        var explicitSets = cmdlet.Parameters.SelectMany(p => p.Declarations).Select(d => d.SetName).Where(s => s != CmdletMetadata.AllSets).Distinct().ToList();
        var sets = explicitSets.Count == 0 ? [CmdletMetadata.AllSets] : explicitSets;
        if (sets.Count > 1)
        {
            Assert.True(cmdlet.DefaultParameterSetName is not null && sets.Contains(cmdlet.DefaultParameterSetName), $"{name}: several sets need a DefaultParameterSetName that exists");
        }
        foreach (var set in sets)
        {
            var members = cmdlet.Parameters
                .SelectMany(p => p.Declarations.Where(d => d.SetName == set || d.SetName == CmdletMetadata.AllSets).Select(d => (Parameter: p, Declaration: d)))
                .ToList();
            var positions = members.Where(m => m.Declaration.Position is not null).Select(m => m.Declaration.Position!.Value).ToList();
            Assert.True(positions.Count == positions.Distinct().Count(), $"{name}/{set}: two parameters share a position");
            Assert.True(members.Count(m => m.Declaration.ValueFromPipeline) <= 1, $"{name}/{set}: more than one ValueFromPipeline parameter");
            Assert.True(members.Count(m => m.Declaration.ValueFromRemainingArguments) <= 1, $"{name}/{set}: more than one ValueFromRemainingArguments");
            if (sets.Count > 1)
            {
                var unique = members.Where(m => m.Declaration.SetName == set).Select(m => m.Parameter.Name)
                    .Where(p => !cmdlet.Parameters.Single(x => x.Name == p).Declarations.Any(d => d.SetName != set));
                Assert.True(unique.Any(), $"{name}/{set}: a set needs a parameter of its own to be told apart");
            }
        }
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void Parameters_Do_Not_Clash_With_Common_Parameters_Or_Each_Other(string name)
    {
        var cmdlet = Get(name);
        var all = cmdlet.Parameters.SelectMany(p => p.AllNames).ToList();
        Assert.DoesNotContain(all, ApprovedVerbs.CommonParameters.Contains);
        Assert.Equal(all.Count, all.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Contains(cmdlet.Parameters, p => p.Name == "Endpoint" && p.Declarations.All(d => d.ValueFromPipelineByPropertyName));
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void Pipeline_Input_Binds_Ids_And_Names_By_Property_Name(string name)
    {
        var cmdlet = Get(name);
        foreach (var parameter in cmdlet.Parameters.Where(p => p.Name is "Id" or "Reference"))
        {
            Assert.True(parameter.Declarations.All(d => d.ValueFromPipelineByPropertyName),
                $"{name} -{parameter.Name} must bind from piped objects by property name");
        }
        // A cmdlet that names an existing object binds it from piped objects (by Id, Name or Reference),
        // so Get-Container | Stop-Container and Get-ContainerImage | Remove-ContainerImage work.
        var naming = cmdlet.Parameters.Where(p => p.Name is "Id" or "Name" or "Reference" && p.Declarations.Any(d => d.Mandatory || d.Position == 0)).ToList();
        if (naming.Count > 0 && cmdlet.Verb is not "New")
        {
            Assert.Contains(naming, p => p.Declarations.Any(d => d.ValueFromPipelineByPropertyName));
        }
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void Sink_Cmdlets_Offer_PassThru(string name)
    {
        var cmdlet = Get(name);
        var sink = cmdlet.Verb is "Stop" or "Restart" or "Suspend" or "Resume" or "Remove" or "Rename" or "Update" or "Add" or "Install" or "Publish"
            or "Export" or "Connect" or "Disconnect" && cmdlet.Noun is not ("ContainerRegistry" or "StoppedContainer") && !cmdlet.Noun.StartsWith("Unused", StringComparison.Ordinal);
        if (sink)
        {
            Assert.Contains(cmdlet.Parameters, p => p.Name == "PassThru" && p.Type == typeof(System.Management.Automation.SwitchParameter));
        }
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void Every_Cmdlet_Declares_Public_Output_Types(string name)
    {
        var cmdlet = Get(name);
        if (name == "Enter-ContainerSession")
        {
            // It connects the console to a shell and writes nothing to the pipeline.
            Assert.Empty(cmdlet.OutputTypes);
            return;
        }
        Assert.NotEmpty(cmdlet.OutputTypes);
        Assert.All(cmdlet.OutputTypes, t => Assert.True(t.IsPublic, $"{name}: {t} is not public"));
        if (cmdlet.Parameters.Any(p => p.Name == "PassThru"))
        {
            Assert.NotEqual(typeof(void), cmdlet.OutputTypes[0]);
        }
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void Names_The_Engine_Knows_Have_Completers(string name)
    {
        var cmdlet = Get(name);
        foreach (var parameter in cmdlet.Parameters)
        {
            var expected = ExpectedCompleter(cmdlet, parameter);
            if (expected is not null)
            {
                Assert.True(parameter.Completer is not null && expected.Contains(parameter.Completer),
                    $"{name} -{parameter.Name} should complete with {string.Join(" or ", expected.Select(e => e.Name))}, has {parameter.Completer?.Name ?? "none"}");
            }
            if (parameter.Completer is not null)
            {
                Assert.True(typeof(System.Management.Automation.IArgumentCompleter).IsAssignableFrom(parameter.Completer));
                Assert.NotNull(parameter.Completer.GetConstructor(Type.EmptyTypes));
            }
        }
    }

    private static Type[]? ExpectedCompleter(CmdletMetadata cmdlet, ParameterMetadata parameter)
    {
        Type[] containers = [typeof(ContainerNameCompleter), typeof(RunningContainerNameCompleter)];
        return (cmdlet.Noun, parameter.Name) switch
        {
            (_, "Id") when parameter.Aliases.Contains("ContainerId") && cmdlet.Verb != "Get" => containers,
            (_, "ToContainer" or "FromContainer") => containers,
            ("Container", "Name") when cmdlet.Verb == "Get" => containers,
            (_, "Image") => [typeof(ImageReferenceCompleter)],
            ("ContainerImage" or "ContainerImageHistory" or "ContainerImageTag", "Name" or "Reference") when cmdlet.Verb is not ("Install" or "Build") => [typeof(ImageReferenceCompleter)],
            ("ContainerVolume", "Name") when cmdlet.Verb != "New" => [typeof(VolumeNameCompleter)],
            ("ContainerNetwork", "Name") when cmdlet.Verb is "Get" or "Remove" => [typeof(NetworkNameCompleter)],
            (_, "Network") => [typeof(NetworkNameCompleter)],
            (_, "Volume") => [typeof(VolumeNameCompleter)],
            _ => null,
        };
    }

    [Fact]
    public void Wildcard_Parameters_Say_So()
    {
        foreach (var cmdlet in CmdletMetadata.All.Where(c => c.Type.IsSubclassOf(typeof(ContainerTargetCmdlet))))
        {
            Assert.True(cmdlet.Parameters.Single(p => p.Name == "Id").SupportsWildcards, cmdlet.Name);
        }
        Assert.True(CmdletMetadata.All.Single(c => c.Name == "Get-Container").Parameters.Single(p => p.Name == "Name").SupportsWildcards);
    }
}
