# Shared set-up for the PSContainer Pester suites: import the built module, find (or start) an
# engine on a private socket, and make sure the busybox test image is loaded. The suites are
# runbooks a user would write; this file only does what a user's profile would.

function Import-PSContainerUnderTest {
    $root = Resolve-Path (Join-Path $PSScriptRoot '../..')
    $module = if ($env:PSC_MODULE) { $env:PSC_MODULE } else { Join-Path $root 'out/PSContainer/PSContainer.psd1' }
    if (-not (Test-Path $module)) {
        throw "The module is not built at $module; run ./build.sh first (or set `$env:PSC_MODULE)."
    }
    Import-Module $module -Force -ErrorAction Stop
}

function Start-TestEngine {
    # An engine of our own, on a temp socket and data root, so the suites never touch a user's engine.
    # $env:PSC_TEST_ENDPOINT points the suites at an engine that is already running instead.
    if ($env:PSC_TEST_ENDPOINT) {
        return [pscustomobject]@{ Endpoint = $env:PSC_TEST_ENDPOINT; Process = $null; Directory = $null }
    }
    $root = Resolve-Path (Join-Path $PSScriptRoot '../..')
    $bin = if ($env:PSC_BIN) { $env:PSC_BIN } else { Join-Path $root 'out/bin' }
    $dir = Join-Path ([IO.Path]::GetTempPath()) ("psc-pester-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory -Path $dir | Out-Null
    $socket = Join-Path $dir 'engine.sock'
    $engineArgs = @('--data-root', (Join-Path $dir 'data'), '--exec-root', (Join-Path $dir 'run'), '--host', "unix://$socket")
    $process = Start-Process -FilePath (Join-Path $bin 'psc-engine') -ArgumentList $engineArgs -PassThru `
        -RedirectStandardError (Join-Path $dir 'engine.log') -RedirectStandardOutput (Join-Path $dir 'engine.out')
    $endpoint = "unix://$socket"
    foreach ($attempt in 1..100) {
        if (Test-Path $socket) {
            try {
                Get-ContainerEngine -Endpoint $endpoint -ErrorAction Stop | Out-Null
                break
            } catch {
                # not answering yet
            }
        }
        if ($process.HasExited) {
            throw "psc-engine exited with $($process.ExitCode): $(Get-Content (Join-Path $dir 'engine.log') -Raw)"
        }
        Start-Sleep -Milliseconds 100
    }
    [pscustomobject]@{ Endpoint = $endpoint; Process = $process; Directory = $dir }
}

function Stop-TestEngine($Engine) {
    if ($Engine.Process -and -not $Engine.Process.HasExited) {
        Get-Container -Endpoint $Engine.Endpoint -All -ErrorAction SilentlyContinue |
            Remove-Container -Force -Confirm:$false -ErrorAction SilentlyContinue
        Stop-Process -Id $Engine.Process.Id
        $Engine.Process.WaitForExit(10000) | Out-Null
    }
    if ($Engine.Directory) {
        Remove-Item -Recurse -Force $Engine.Directory -ErrorAction SilentlyContinue
    }
}

function Initialize-TestImage($Endpoint) {
    if (-not (Get-ContainerImage busybox -Endpoint $Endpoint -ErrorAction SilentlyContinue)) {
        $images = if ($env:PSC_TEST_IMAGES) { $env:PSC_TEST_IMAGES } else { '/var/cache/pscontainer/test-images' }
        Import-ContainerImage -Path (Join-Path $images 'busybox-docker.tar') -Endpoint $Endpoint -ErrorAction Stop | Out-Null
    }
}

Export-ModuleMember -Function Import-PSContainerUnderTest, Start-TestEngine, Stop-TestEngine, Initialize-TestImage
