# Runs the SamBridge Pester suite: Pester 5.7.1 from .tools (scripts/setup-ps.sh), one emulator for the
# whole run, NUnit XML results in test-artifacts/, and a non-zero exit code on any failure (a failed
# test, a failed BeforeAll/AfterAll, a test file that does not load, or no test run at all).
#
#   .tools/pwsh -NoProfile -File tests/pester/run.ps1 [-Path tests/pester/X.Tests.ps1] [-Tag T] [-ExcludeTag T]
[CmdletBinding()]
param(
    [string[]] $Path,
    [string[]] $Tag,
    [string[]] $ExcludeTag,
    [ValidateSet('None', 'Normal', 'Detailed', 'Diagnostic')]
    [string] $Output = 'Detailed'
)
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
# `pwsh -File run.ps1 -Path a,b` passes one string: split lists on commas.
$Path = @($Path | Where-Object { $_ } | ForEach-Object { $_ -split ',' })
$Tag = @($Tag | Where-Object { $_ } | ForEach-Object { $_ -split ',' })
$ExcludeTag = @($ExcludeTag | Where-Object { $_ } | ForEach-Object { $_ -split ',' })

$repo = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../..')).ProviderPath
$pester = Join-Path -Path $repo -ChildPath '.tools/nuget/pester/5.7.1/tools/Pester.psd1'
if (-not (Test-Path -LiteralPath $pester)) {
    Write-Error ("Pester 5.7.1 is not installed at {0}: run 'bash scripts/setup-ps.sh' (or 'make test')." -f $pester)
    exit 2
}
Get-Module -Name Pester | Remove-Module -Force
Import-Module -Name $pester -Force -ErrorAction Stop
if ((Get-Module -Name Pester).Version -ne [version]'5.7.1') {
    Write-Error "expected Pester 5.7.1, loaded $((Get-Module -Name Pester).Version)"
    exit 2
}
Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'SamBridge.TestHelpers.psm1') -Force -Global

$artifacts = Join-Path -Path $repo -ChildPath 'test-artifacts'
$null = New-Item -ItemType Directory -Path $artifacts -Force
$results = Join-Path -Path $artifacts -ChildPath 'pester-results.xml'

$started = [System.Diagnostics.Stopwatch]::StartNew()
$run = $null
try {
    $emulator = Start-SamTestEmulator
    Write-Host "emulator: $($emulator.authority_host) (partner tenant $($emulator.partner_tenant))"

    $configuration = New-PesterConfiguration
    $configuration.Run.Path = @($PSScriptRoot)
    if ($Path.Count -gt 0) { $configuration.Run.Path = $Path }
    $configuration.Run.PassThru = $true
    $configuration.Run.Exit = $false
    if ($Tag.Count -gt 0) { $configuration.Filter.Tag = $Tag }
    if ($ExcludeTag.Count -gt 0) { $configuration.Filter.ExcludeTag = $ExcludeTag }
    $configuration.Output.Verbosity = $Output
    $configuration.TestResult.Enabled = $true
    $configuration.TestResult.OutputFormat = 'NUnitXml'
    $configuration.TestResult.OutputPath = $results
    $configuration.Should.ErrorAction = 'Stop'
    $run = Invoke-Pester -Configuration $configuration
} finally {
    Stop-SamTestEmulator
}
$started.Stop()

if ($null -eq $run) {
    Write-Error 'Pester did not run.'
    exit 1
}
$failedBlocks = @($run.FailedBlocks).Count
$failedContainers = @($run.FailedContainers).Count
Write-Host ("Pester: {0} passed, {1} failed, {2} skipped, {3} not run; {4} failed blocks, {5} failed files; {6:N1} s; results in {7}" -f `
        $run.PassedCount, $run.FailedCount, $run.SkippedCount, $run.NotRunCount, $failedBlocks, $failedContainers, $started.Elapsed.TotalSeconds, $results)
if ($run.Result -ne 'Passed' -or $run.FailedCount -gt 0 -or $failedBlocks -gt 0 -or $failedContainers -gt 0 -or $run.PassedCount -eq 0) {
    exit 1
}
exit 0
