@{
    RootModule           = 'PSContainer.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5b0c4f0e-7d3c-4a52-9c1e-2f6a8f0d9b41'
    Author               = 'PSContainer developers'
    CompanyName          = 'PSContainer'
    Copyright            = '(c) PSContainer developers. All rights reserved.'
    Description          = 'Linux containers from PowerShell: a Docker-compatible engine with objects in the pipeline.'
    # The module targets net10.0, which PowerShell 7.6 runs on; older PowerShell cannot load it.
    PowerShellVersion    = '7.6'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('PSContainer.Format.ps1xml')
    TypesToProcess       = @('PSContainer.Types.ps1xml')
    CmdletsToExport      = @(
        'Add-ContainerImageTag'
        'Build-ContainerImage'
        'Connect-ContainerNetwork'
        'Connect-ContainerRegistry'
        'ConvertTo-ContainerImage'
        'Copy-ContainerItem'
        'Disconnect-ContainerNetwork'
        'Disconnect-ContainerRegistry'
        'Enter-ContainerSession'
        'Export-Container'
        'Export-ContainerImage'
        'Get-Container'
        'Get-ContainerChange'
        'Get-ContainerEngine'
        'Get-ContainerEvent'
        'Get-ContainerImage'
        'Get-ContainerImageHistory'
        'Get-ContainerLog'
        'Get-ContainerNetwork'
        'Get-ContainerProcess'
        'Get-ContainerStatistic'
        'Get-ContainerVolume'
        'Import-ContainerImage'
        'Install-ContainerImage'
        'Invoke-ContainerCommand'
        'New-Container'
        'New-ContainerNetwork'
        'New-ContainerVolume'
        'Publish-ContainerImage'
        'Remove-Container'
        'Remove-ContainerImage'
        'Remove-ContainerNetwork'
        'Remove-ContainerVolume'
        'Remove-StoppedContainer'
        'Remove-UnusedContainerImage'
        'Remove-UnusedContainerNetwork'
        'Remove-UnusedContainerVolume'
        'Rename-Container'
        'Restart-Container'
        'Resume-Container'
        'Start-Container'
        'Stop-Container'
        'Suspend-Container'
        'Update-Container'
        'Wait-Container'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    # Docker-style names as a migration aid; the cmdlets themselves use approved verbs.
    AliasesToExport      = @(
        'Commit-Container'
        'Create-Container'
        'Exec-Container'
        'Inspect-Container'
        'Load-ContainerImage'
        'Login-ContainerRegistry'
        'Logout-ContainerRegistry'
        'Pause-Container'
        'Pull-ContainerImage'
        'Push-ContainerImage'
        'Run-Container'
        'Save-ContainerImage'
        'Tag-ContainerImage'
        'Unpause-Container'
    )
    PrivateData          = @{
        PSData = @{
            Tags         = @('Containers', 'Docker', 'OCI', 'Linux', 'PSEdition_Core')
            ProjectUri   = 'https://example.invalid/pscontainer'
            ReleaseNotes = 'First release: containers, images, registries, volumes, networks, events and the engine, over the Docker Engine API.'
        }
    }
}
