@{
    RootModule           = 'PSContainer.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5b0c4f0e-7d3c-4a52-9c1e-2f6a8f0d9b41'
    Author               = 'PSContainer developers'
    CompanyName          = 'PSContainer'
    Copyright            = '(c) PSContainer developers. All rights reserved.'
    Description          = 'Linux containers from PowerShell: a Docker-compatible engine with objects in the pipeline.'
    PowerShellVersion    = '7.6'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @()
    TypesToProcess       = @()
    CmdletsToExport      = @()
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('Containers', 'Docker', 'OCI', 'Linux')
            ProjectUri = 'https://example.invalid/pscontainer'
        }
    }
}
