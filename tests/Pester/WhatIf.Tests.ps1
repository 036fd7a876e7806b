#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Runbook: -WhatIf shows what would change and changes nothing.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PSContainer.TestHelpers.psm1') -Force
    Import-PSContainerUnderTest
    $script:engine = Start-TestEngine
    $PSDefaultParameterValues['*Container*:Endpoint'] = $engine.Endpoint
    Initialize-TestImage $engine.Endpoint
    $script:name = 'pester-whatif-' + (Get-Random)
    Start-Container -Image busybox -Name $name -Detach -- sleep 600 | Out-Null
    $script:before = Get-Container $name
}

AfterAll {
    Remove-Container $name -Force -Confirm:$false -ErrorAction SilentlyContinue
    $PSDefaultParameterValues.Remove('*Container*:Endpoint')
    Stop-TestEngine $engine
}

Describe '-WhatIf' {
    It 'Stop-Container -WhatIf leaves the container running' {
        Get-Container $name | Stop-Container -WhatIf
        (Get-Container $name).State | Should -Be ([PSContainer.ContainerState]::Running)
    }

    It 'Remove-Container -Force -WhatIf leaves it in place' {
        Remove-Container $name -Force -WhatIf
        (Get-Container $name).Id | Should -Be $before.Id
    }

    It 'Start-Container -Image -WhatIf creates nothing' {
        $count = @(Get-Container -All).Count
        Start-Container -Image busybox -Name "$name-new" -WhatIf
        @(Get-Container -All).Count | Should -Be $count
    }

    It 'prunes and volume removal ask at High impact and -WhatIf removes nothing' {
        foreach ($prune in 'Remove-StoppedContainer', 'Remove-UnusedContainerVolume', 'Remove-ContainerVolume') {
            $attribute = (Get-Command $prune).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $true)
            $attribute.ConfirmImpact | Should -Be 'High' -Because $prune
        }
        New-ContainerVolume "$name-data" | Out-Null
        Remove-ContainerVolume "$name-data" -WhatIf
        Remove-UnusedContainerVolume -All -WhatIf
        (Get-ContainerVolume "$name-data").Name | Should -Be "$name-data"
        Remove-ContainerVolume "$name-data" -Confirm:$false
    }

    It 'Rename-Container -WhatIf keeps the name' {
        Rename-Container $name -NewName "$name-renamed" -WhatIf
        (Get-Container $name).Name | Should -Be $name
    }
}
