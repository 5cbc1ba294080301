# Runs the SamBridge Pester suite: Pester 5.7.1 from .tools (scripts/setup-ps.sh), one emulator for the
# whole run, NUnit XML results in test-artifacts/, and a non-zero exit code on any failure (a failed
# test, a failed BeforeAll/AfterAll, a test file that does not load, or no test run at all).
#
# The whole suite runs twice, once per transport, because the two must behave identically: first
# with the core in-process (SAM_BRIDGE_TRANSPORT=InProcess, Python.Runtime.dll of the NuGet package
# pythonnet 3.2.1 from .tools/nuget), then as a child process per request
# (SAM_BRIDGE_TRANSPORT=ChildProcess). Tests tagged ChildProcess are about the child process itself
# (its command line, a fake core on SAM_BRIDGE_CLI) and run only in the second pass. Tests tagged
# Once (long ones whose transport is beside the point, e.g. a five-minute job) run only in the last
# pass. Either pass failing fails the run.
#
#   .tools/pwsh -NoProfile -File tests/pester/run.ps1 [-Path tests/pester/X.Tests.ps1] [-Tag T] [-ExcludeTag T]
#       [-Transport InProcess|ChildProcess|Both]
[CmdletBinding()]
param(
    [string[]] $Path,
    [string[]] $Tag,
    [string[]] $ExcludeTag,
    [ValidateSet('None', 'Normal', 'Detailed', 'Diagnostic')]
    [string] $Output = 'Detailed',
    [ValidateSet('Both', 'InProcess', 'ChildProcess')]
    [string] $Transport = 'Both'
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
$pythonnet = Join-Path -Path $repo -ChildPath '.tools/nuget/pythonnet/3.2.1/lib/netstandard2.0/Python.Runtime.dll'
$passes = @('InProcess', 'ChildProcess')
if ($Transport -ne 'Both') { $passes = @($Transport) }
if ($passes -contains 'InProcess' -and -not (Test-Path -LiteralPath $pythonnet)) {
    Write-Error ("pythonnet 3.2.1 is not installed at {0}: run 'bash scripts/setup-ps.sh' (or 'make test')." -f $pythonnet)
    exit 2
}

$summaries = New-Object -TypeName System.Collections.Generic.List[string]
$failed = $false
try {
    $emulator = Start-SamTestEmulator
    Write-Host "emulator: $($emulator.authority_host) (partner tenant $($emulator.partner_tenant))"
    foreach ($pass in $passes) {
        # Enter-SamTestHome keeps these two runner settings while it clears every other SAM_BRIDGE_*.
        $env:SAM_BRIDGE_TRANSPORT = $pass
        $env:SAM_BRIDGE_PYTHONNET_DLL = $pythonnet
        $results = Join-Path -Path $artifacts -ChildPath ('pester-results-{0}.xml' -f $pass.ToLowerInvariant())
        Write-Host ("==== Pester, {0} transport ====" -f $pass)
        $started = [System.Diagnostics.Stopwatch]::StartNew()
        $configuration = New-PesterConfiguration
        $configuration.Run.Path = @($PSScriptRoot)
        if ($Path.Count -gt 0) { $configuration.Run.Path = $Path }
        $configuration.Run.PassThru = $true
        $configuration.Run.Exit = $false
        if ($Tag.Count -gt 0) { $configuration.Filter.Tag = $Tag }
        $exclude = @($ExcludeTag)
        if ($pass -eq 'InProcess') { $exclude += 'ChildProcess' }
        if ($pass -ne $passes[-1]) { $exclude += 'Once' }
        if ($exclude.Count -gt 0) { $configuration.Filter.ExcludeTag = $exclude }
        $configuration.Output.Verbosity = $Output
        $configuration.TestResult.Enabled = $true
        $configuration.TestResult.OutputFormat = 'NUnitXml'
        $configuration.TestResult.OutputPath = $results
        $configuration.Should.ErrorAction = 'Stop'
        $run = Invoke-Pester -Configuration $configuration
        $started.Stop()
        if ($null -eq $run) {
            $summaries.Add("Pester ($pass): did not run.")
            $failed = $true
            continue
        }
        $failedBlocks = @($run.FailedBlocks).Count
        $failedContainers = @($run.FailedContainers).Count
        $summaries.Add(("Pester ({0}): {1} passed, {2} failed, {3} skipped, {4} not run; {5} failed blocks, {6} failed files; {7:N1} s; results in {8}" -f `
                    $pass, $run.PassedCount, $run.FailedCount, $run.SkippedCount, $run.NotRunCount, $failedBlocks, $failedContainers, $started.Elapsed.TotalSeconds, $results))
        if ($run.Result -ne 'Passed' -or $run.FailedCount -gt 0 -or $failedBlocks -gt 0 -or $failedContainers -gt 0 -or $run.PassedCount -eq 0) {
            $failed = $true
        }
    }
} finally {
    Remove-Item -Path Env:SAM_BRIDGE_TRANSPORT, Env:SAM_BRIDGE_PYTHONNET_DLL -ErrorAction SilentlyContinue
    Stop-SamTestEmulator
}
foreach ($summary in $summaries) { Write-Host $summary }
if ($failed) { exit 1 }
exit 0
