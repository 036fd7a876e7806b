#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Runbook: check which engine this session talks to, what happens when there is none, and watch events.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PSContainer.TestHelpers.psm1') -Force
    Import-PSContainerUnderTest
    $script:engine = Start-TestEngine
    Initialize-TestImage $engine.Endpoint
}

AfterAll {
    Stop-TestEngine $engine
}

Describe 'The engine' {
    It 'describes itself, with the negotiated API version' {
        $info = Get-ContainerEngine -Endpoint $engine.Endpoint
        $info | Should -BeOfType PSContainer.ContainerEngineInfo
        $info.Endpoint | Should -Be $engine.Endpoint
        [version]$info.NegotiatedApiVersion | Should -BeLessOrEqual ([version]'1.43')
    }

    It 'is found through $env:PSCONTAINER_HOST' {
        $saved = $env:PSCONTAINER_HOST
        try {
            $env:PSCONTAINER_HOST = $engine.Endpoint
            (Get-ContainerEngine).Endpoint | Should -Be $engine.Endpoint
        } finally {
            $env:PSCONTAINER_HOST = $saved
        }
    }

    It 'stops with EngineUnavailable, saying how to start one, when nothing listens' {
        $err = { Get-Container -Endpoint 'unix:///nonexistent/engine.sock' -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'EngineUnavailable*'
        $err.Exception.Message | Should -Match 'psc-engine'
    }

    It 'reports what happened as events' {
        $start = Get-Date
        Start-Container -Image busybox -Remove -Endpoint $engine.Endpoint -- true | Out-Null
        $events = Get-ContainerEvent -Since $start -Type container -Endpoint $engine.Endpoint
        $events.Action | Should -Contain 'start'
        $events[0] | Should -BeOfType PSContainer.ContainerEvent
    }

    It 'surfaces a foreground run''s output and exit code' {
        Start-Container -Image busybox -Remove -Endpoint $engine.Endpoint -- sh -c 'echo out; exit 3' | Should -Be 'out'
        $LASTEXITCODE | Should -Be 3
    }
}
