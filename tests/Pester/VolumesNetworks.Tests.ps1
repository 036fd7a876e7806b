#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Runbook: keep data in a volume across containers, put containers on a network of their own,
# copy files in and commit the result as an image.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PSContainer.TestHelpers.psm1') -Force
    Import-PSContainerUnderTest
    $script:engine = Start-TestEngine
    $PSDefaultParameterValues['*Container*:Endpoint'] = $engine.Endpoint
    Initialize-TestImage $engine.Endpoint
    $script:name = 'pester-vn-' + (Get-Random)
}

AfterAll {
    Get-Container -All -Name 'pester-vn-*' -ErrorAction SilentlyContinue | Remove-Container -Force -Confirm:$false
    Get-ContainerNetwork -Name 'pester-vn-*' -ErrorAction SilentlyContinue | Remove-ContainerNetwork -Confirm:$false
    Get-ContainerVolume -Name 'pester-vn-*' -ErrorAction SilentlyContinue | Remove-ContainerVolume -Force -Confirm:$false
    Get-ContainerImage -Name 'pester-vn-*' -ErrorAction SilentlyContinue | Remove-ContainerImage -Force -Confirm:$false
    $PSDefaultParameterValues.Remove('*Container*:Endpoint')
    Stop-TestEngine $engine
}

Describe 'Volumes' {
    It 'keeps data written by one container for the next one' {
        $volume = New-ContainerVolume "$name-data" -Label @{ suite = 'pester' }
        $volume | Should -BeOfType PSContainer.ContainerVolume
        Start-Container -Image busybox -Remove -Volume "$name-data:/data" -- sh -c 'echo kept > /data/file' | Out-Null
        Start-Container -Image busybox -Remove -Volume "$name-data:/data" -- cat /data/file | Select-Object -ExpandProperty Line | Should -Be 'kept'
    }

    It 'is listed like docker volume ls and found by wildcard' {
        $found = Get-ContainerVolume "$name-*"
        $found.Name | Should -Contain "$name-data"
        ($found | Format-Table | Out-String) | Should -Match 'DRIVER|Driver'
    }

    It 'refuses to remove a volume in use with ResourceInUse, and removes it from the pipeline afterwards' {
        Start-Container -Image busybox -Name "$name-user" -Detach -Volume "$name-data:/data" -- sleep 600 | Out-Null
        { Remove-ContainerVolume "$name-data" -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'ResourceInUse,PSContainer.Module.Cmdlets.RemoveContainerVolumeCommand'
        Remove-Container "$name-user" -Force -Confirm:$false
        Get-ContainerVolume "$name-data" | Remove-ContainerVolume -Confirm:$false
        { Get-ContainerVolume "$name-data" -ErrorAction Stop } | Should -Throw -ErrorId 'VolumeNotFound,PSContainer.Module.Cmdlets.GetContainerVolumeCommand'
    }
}

Describe 'Networks' {
    It 'creates a bridge network with a subnet and shows it like docker network ls' {
        $network = New-ContainerNetwork "$name-net" -Subnet 172.31.252.0/24 -Gateway 172.31.252.1
        $network | Should -BeOfType PSContainer.ContainerNetwork
        $network.Subnets | Should -Be @('172.31.252.0/24')
        (Get-ContainerNetwork).Name | Should -Contain 'bridge'
    }

    It 'connects a running container piped from Get-Container and disconnects it' {
        Start-Container -Image busybox -Name "$name-app" -Detach -- sleep 600 | Out-Null
        Get-Container "$name-app" | Connect-ContainerNetwork -Network "$name-net" -IPAddress 172.31.252.30
        (Get-ContainerNetwork "$name-net").Containers | Should -Be @("$name-app")
        Get-Container "$name-app" | Disconnect-ContainerNetwork -Network "$name-net"
        (Get-ContainerNetwork "$name-net").Containers | Should -BeNullOrEmpty
    }

    It 'removes the network; -WhatIf first leaves it in place' {
        Remove-ContainerNetwork "$name-net" -WhatIf
        (Get-ContainerNetwork "$name-net").Name | Should -Be "$name-net"
        Remove-ContainerNetwork "$name-net" -Confirm:$false
        { Get-ContainerNetwork "$name-net" -ErrorAction Stop } | Should -Throw -ErrorId 'NetworkNotFound,PSContainer.Module.Cmdlets.GetContainerNetworkCommand'
    }
}

Describe 'Copy and commit' {
    It 'copies a directory in, commits the container and runs the new image' {
        $site = New-Item -ItemType Directory (Join-Path $TestDrive 'site')
        Set-Content (Join-Path $site 'index.html') '<h1>hello</h1>'
        New-Container -Image busybox -Name "$name-build" -- sleep 600 | Out-Null
        Copy-ContainerItem -Path $site -Destination /tmp/ -ToContainer "$name-build"
        $image = ConvertTo-ContainerImage "$name-build" "$name-img:1" -Change 'CMD ["cat", "/tmp/site/index.html"]' -Message 'pester'
        $image | Should -BeOfType PSContainer.ContainerImage
        Start-Container -Image "$name-img:1" -Remove | Select-Object -ExpandProperty Line | Should -Be '<h1>hello</h1>'
    }

    It 'reports a missing path in the container as PathNotFound' {
        { Copy-ContainerItem -Path /no/such -Destination $TestDrive -FromContainer "$name-build" -ErrorAction Stop } |
            Should -Throw -ErrorId 'PathNotFound,PSContainer.Module.Cmdlets.CopyContainerItemCommand'
    }
}
