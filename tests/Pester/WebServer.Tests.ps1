#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Runbook: run a small web server in a container, look at it, read its logs, exec into it, stop it.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PSContainer.TestHelpers.psm1') -Force
    Import-PSContainerUnderTest
    $script:engine = Start-TestEngine
    $PSDefaultParameterValues['*Container*:Endpoint'] = $engine.Endpoint
    Initialize-TestImage $engine.Endpoint
    $script:name = 'pester-web-' + (Get-Random)
}

AfterAll {
    Get-Container -All -Name 'pester-web-*' -ErrorAction SilentlyContinue | Remove-Container -Force -Confirm:$false
    $PSDefaultParameterValues.Remove('*Container*:Endpoint')
    Stop-TestEngine $engine
}

Describe 'A web server container' {
    It 'starts detached and comes back as a running Container object' {
        $web = Start-Container -Image busybox -Name $name -Detach -Label @{ suite = 'pester' } -Environment @{ GREETING = 'hello' } `
            -- sh -c 'mkdir -p /www && echo "$GREETING from busybox" > /www/index.html && echo ready && exec httpd -f -v -p 8080 -h /www'
        $web | Should -BeOfType PSContainer.Container
        $web.Name | Should -Be $name
        $web.State | Should -Be ([PSContainer.ContainerState]::Running)
        $web.Created | Should -BeOfType datetime
        $web.Labels['suite'] | Should -Be 'pester'
    }

    It 'is listed by Get-Container by name, by wildcard and by label' {
        (Get-Container $name).Id | Should -HaveCount 1
        (Get-Container 'pester-web-*').Name | Should -Contain $name
        (Get-Container -Label suite=pester).Name | Should -Contain $name
        Get-Container -Name 'no-such-container' -ErrorAction SilentlyContinue -ErrorVariable missing | Should -BeNullOrEmpty
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'ContainerNotFound*'
    }

    It 'writes its output to the log, one object per line' {
        $deadline = (Get-Date).AddSeconds(20)
        do {
            $lines = Get-ContainerLog $name -Timestamp
        } until ($lines.Line -contains 'ready' -or (Get-Date) -gt $deadline)
        $ready = $lines | Where-Object Line -eq 'ready'
        $ready.Stream | Should -Be ([PSContainer.ContainerOutputStream]::StdOut)
        $ready.Time | Should -BeOfType datetime
    }

    It 'answers a command run inside it' {
        $page = Invoke-ContainerCommand $name -- cat /www/index.html
        $page | Should -Be 'hello from busybox'
        $LASTEXITCODE | Should -Be 0
        Invoke-ContainerCommand $name -- sh -c 'exit 4' | Out-Null
        $LASTEXITCODE | Should -Be 4
    }

    It 'serves HTTP to a client in the same container' {
        Invoke-ContainerCommand $name -- wget -q -O - http://127.0.0.1:8080/ | Should -Be 'hello from busybox'
    }

    It 'lists its processes' {
        (Get-ContainerProcess $name).Command | Should -Match 'httpd'
    }

    It 'copies files in and out' {
        $local = New-Item -ItemType File -Path (Join-Path TestDrive: 'extra.html') -Value 'extra page'
        Copy-ContainerItem $local.FullName /www/ -ToContainer $name
        Invoke-ContainerCommand $name -- cat /www/extra.html | Should -Be 'extra page'
        $back = Copy-ContainerItem /www/index.html (Join-Path TestDrive: 'index.html') -FromContainer $name -PassThru
        Get-Content $back | Should -Be 'hello from busybox'
    }

    It 'stops when piped from Get-Container into Stop-Container' {
        Get-Container $name | Stop-Container -Timeout 2
        (Get-Container $name -All).State | Should -Be ([PSContainer.ContainerState]::Exited)
    }

    It 'is gone after Remove-Container' {
        Remove-Container $name -Confirm:$false
        Get-Container $name -All -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}
