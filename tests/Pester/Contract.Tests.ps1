#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# What a PowerShell user expects of any module, checked with PowerShell itself (the xunit contract
# tests check the same from the dll's metadata where pwsh is not available). Needs no engine.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PSContainer.TestHelpers.psm1') -Force
    Import-PSContainerUnderTest
    $script:commands = Get-Command -Module PSContainer -CommandType Cmdlet
}

Describe 'The PSContainer module' {
    It 'exports only approved verbs' {
        $approved = (Get-Verb).Verb
        $commands | Where-Object Verb -notin $approved | Should -BeNullOrEmpty
    }

    It 'has full help with an example for every cmdlet' {
        foreach ($command in $commands) {
            $help = Get-Help $command.Name -Full
            $help.Synopsis | Should -Not -BeNullOrEmpty -Because $command.Name
            @($help.Examples.Example).Count | Should -BeGreaterThan 0 -Because $command.Name
        }
        Get-Help about_PSContainer | Should -Not -BeNullOrEmpty
    }

    It 'supports -WhatIf on every cmdlet that changes state' {
        $commands | Where-Object { $_.Verb -notin 'Get', 'Wait' -and -not $_.Parameters.ContainsKey('WhatIf') } | Should -BeNullOrEmpty
    }

    It 'exports the docker-style aliases' {
        (Get-Alias Pull-ContainerImage).ResolvedCommandName | Should -Be 'Install-ContainerImage'
        (Get-Alias Run-Container).ResolvedCommandName | Should -Be 'Start-Container'
    }

    It 'formats containers and images like docker ps and docker images' {
        $containers = (Get-FormatData PSContainer.Container).FormatViewDefinition | Where-Object { $_.Control -is [System.Management.Automation.TableControl] }
        $containers[0].Control.Headers.Label | Should -Be 'CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'
        $images = (Get-FormatData PSContainer.ContainerImage).FormatViewDefinition | Where-Object { $_.Control -is [System.Management.Automation.TableControl] }
        $images[0].Control.Headers.Label | Should -Be 'REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'
        [PSContainer.Module.Core.HumanText]::Ago((Get-Date).AddMinutes(-2)) | Should -Be '2 minutes ago'
    }
}
