#!/usr/bin/env pwsh
# Thin front door for pwsh users; same verbs as build.sh, same MSBuild project underneath.
[CmdletBinding()]
param([ValidateSet('build', 'demo', 'test', 'clean')][string]$Task = 'build')
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot
switch ($Task) {
    'build' { dotnet msbuild build/PSContainer.Build.proj -nologo -v:m -t:Build }
    'clean' { dotnet msbuild build/PSContainer.Build.proj -nologo -v:m -t:Clean }
    'demo'  { bash scripts/demo.sh }
    'test'  { bash scripts/test.sh @args }
}
exit $LASTEXITCODE
