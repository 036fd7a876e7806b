#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Runbook: load an image from an archive with progress, tag it, look at it, export it, remove the tag.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PSContainer.TestHelpers.psm1') -Force
    Import-PSContainerUnderTest
    $script:engine = Start-TestEngine
    $PSDefaultParameterValues['*Container*:Endpoint'] = $engine.Endpoint
    $script:images = if ($env:PSC_TEST_IMAGES) { $env:PSC_TEST_IMAGES } else { '/var/cache/pscontainer/test-images' }
    $script:tag = 'pester/box:' + (Get-Random)
}

AfterAll {
    Remove-ContainerImage $tag -ErrorAction SilentlyContinue -Confirm:$false
    $PSDefaultParameterValues.Remove('*Container*:Endpoint')
    Stop-TestEngine $engine
}

Describe 'Images' {
    It 'loads a docker archive (with a progress bar per layer) and returns the images' {
        $loaded = Import-ContainerImage (Join-Path $images 'busybox-docker.tar')
        $loaded | Should -Not -BeNullOrEmpty
        $loaded[0] | Should -BeOfType PSContainer.ContainerImage
        $loaded.Repository | Should -Contain 'busybox'
    }

    It 'lists images like docker images, one object per tag' {
        $busybox = Get-ContainerImage busybox
        $busybox.Tag | Should -Contain 'latest'
        $busybox[0].Size | Should -BeGreaterThan 0
        $busybox[0].ShortId.Length | Should -Be 12
    }

    It 'adds a tag and finds the image under it' {
        Add-ContainerImageTag busybox:latest $tag
        (Get-ContainerImage $tag).Id | Should -Be (Get-ContainerImage busybox:latest).Id
    }

    It 'shows the history of the image' {
        Get-ContainerImageHistory busybox | Should -Not -BeNullOrEmpty
    }

    It 'exports the image to an archive' {
        $file = Get-ContainerImage busybox:latest | Export-ContainerImage -Path (Join-Path TestDrive: 'busybox.tar') -PassThru
        $file.Length | Should -BeGreaterThan 0
    }

    It 'removes only the tag, keeping the image' {
        Get-ContainerImage $tag | Remove-ContainerImage -Confirm:$false
        Get-ContainerImage $tag -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Get-ContainerImage busybox:latest | Should -Not -BeNullOrEmpty
    }

    It 'reports a missing image with a stable error id' {
        Get-ContainerImage 'no-such-image:1' -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ImageNotFound*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'pulls from a registry on 127.0.0.1 with one progress activity per layer' -Skip:(-not $env:PSC_TEST_REGISTRY) {
        # Set $env:PSC_TEST_REGISTRY to host:port of a registry holding busybox (docker-registry on 127.0.0.1).
        Add-ContainerImageTag busybox:latest "$($env:PSC_TEST_REGISTRY)/busybox:pester"
        Publish-ContainerImage "$($env:PSC_TEST_REGISTRY)/busybox:pester"
        Remove-ContainerImage "$($env:PSC_TEST_REGISTRY)/busybox:pester" -Confirm:$false
        $image = Install-ContainerImage "$($env:PSC_TEST_REGISTRY)/busybox:pester" -PassThru
        $image.Reference | Should -Be "$($env:PSC_TEST_REGISTRY)/busybox:pester"
    }
}
