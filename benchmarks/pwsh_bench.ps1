# B1 and B2, measured inside one pwsh process (run by benchmarks/run.py; prints one JSON object).
#
# B1: Get-SamConnectParameter -Target PartnerCenter with a valid cached access token, over the
#     in-process transport and over the child-process transport; every call's time in ms.
# B2: one real refresh-token exchange against the emulator, New-SamAccessToken in-process (the
#     -RefreshToken set, the drop-in for New-PartnerAccessToken) against MSAL.NET's own
#     IByRefreshToken.AcquireTokenByRefreshToken, from this same pwsh, alternating in rounds so that
#     a change in the machine's load hits both. Also the -Profile set with -Force (the store's
#     read, rotation and write included), for information.
#
# Before B2 loads MSAL.NET, the assemblies of the session are checked: the module's in-process calls
# must not have loaded Microsoft.Identity.Client.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][string] $JobPath
)
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$job = Get-Content -LiteralPath $JobPath -Raw | ConvertFrom-Json
foreach ($property in $job.env.PSObject.Properties) {
    Set-Item -LiteralPath "Env:$($property.Name)" -Value ([string]$property.Value)
}
Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../psmodule/SamBridge') -Force

function Measure-Call {
    # Every call's wall time in ms (Stopwatch around the call; output discarded).
    param([Parameter(Mandatory = $true)][scriptblock] $Call, [Parameter(Mandatory = $true)][int] $Count)
    $times = New-Object -TypeName System.Collections.Generic.List[double]
    for ($i = 0; $i -lt $Count; $i++) {
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $null = & $Call
        $watch.Stop()
        $times.Add($watch.Elapsed.TotalMilliseconds)
    }
    , $times.ToArray()
}

$result = [ordered]@{}

# -- B1 -----------------------------------------------------------------------------------------------
$b1 = { Get-SamConnectParameter -Target PartnerCenter -Profile $job.profile }
Set-SamBridgeOption -Transport InProcess
$first = [System.Diagnostics.Stopwatch]::StartNew()
$params = & $b1  # starts the engine, and exchanges (then caches) the access token
$first.Stop()
if (-not $params.ContainsKey('AccessToken')) { throw 'B1: no AccessToken in the parameters' }
$result.engine_start_ms = $first.Elapsed.TotalMilliseconds
$null = Measure-Call -Call $b1 -Count $job.b1_warmup
$result.b1_inprocess_ms = Measure-Call -Call $b1 -Count $job.b1_inprocess_runs
Set-SamBridgeOption -Transport ChildProcess
$null = Measure-Call -Call $b1 -Count 2
$result.b1_child_ms = Measure-Call -Call $b1 -Count $job.b1_child_runs

$loaded = @([System.AppDomain]::CurrentDomain.GetAssemblies() | ForEach-Object { $_.GetName().Name })
$result.msal_loaded_by_module = $loaded -contains 'Microsoft.Identity.Client'

# -- B2 -----------------------------------------------------------------------------------------------
Set-SamBridgeOption -Transport InProcess
$refreshToken = ConvertTo-SecureString -String $job.refresh_token -AsPlainText -Force
$scopes = [string[]]@($job.scopes)
$sam = {
    New-SamAccessToken -RefreshToken $refreshToken -ApplicationId $job.app_id -Scopes $scopes -Tenant $job.tenant -Confirm:$false
}
$samProfile = { New-SamAccessToken -Profile $job.profile -Scopes $scopes -Force -Confirm:$false }
$result.b2_error = $null
try {
    # Microsoft.Identity.Client needs Microsoft.IdentityModel.Abstractions (>= 8.14), a package of its
    # own, restored beside it by scripts/setup-ps.sh (run.py passes its path).
    $abstractions = $null
    foreach ($candidate in @($job.abstractions_dlls)) {
        if ([System.Reflection.AssemblyName]::GetAssemblyName($candidate).Version -ge [version]'8.14') { $abstractions = $candidate; break }
    }
    if (-not $abstractions) { throw 'no Microsoft.IdentityModel.Abstractions.dll 8.14 or later was found (MSAL.NET 4.92 needs it)' }
    $null = [System.Reflection.Assembly]::LoadFrom($abstractions)
    $null = [System.Reflection.Assembly]::LoadFrom($job.msal_dll)
    $references = @($job.msal_dll, 'System.Net.Http', 'System.Net.Security', 'System.Net.Primitives', 'System.Security.Cryptography',
        'System.Runtime', 'System.Collections', 'System.Collections.NonGeneric', 'System.Memory')
    Add-Type -TypeDefinition (Get-Content -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath 'MsalRefresh.cs') -Raw) `
        -ReferencedAssemblies $references -IgnoreWarnings 3>$null
    $app = [SamBridgeBench.MsalRefresh]::Build($job.app_id, $job.authority, $job.ca_bundle)
    $msal = { [SamBridgeBench.MsalRefresh]::Redeem($app, $scopes, $job.refresh_token) }
    $check = & $msal
    if (-not $check.AccessToken) { throw 'MSAL.NET returned no access token' }
    $token = & $sam
    if (-not $token.AccessToken) { throw 'New-SamAccessToken returned no access token' }
    $null = Measure-Call -Call $sam -Count $job.b2_warmup
    $null = Measure-Call -Call $msal -Count $job.b2_warmup
    $samTimes = New-Object -TypeName System.Collections.Generic.List[double]
    $msalTimes = New-Object -TypeName System.Collections.Generic.List[double]
    for ($round = 0; $round -lt $job.b2_rounds; $round++) {
        $samTimes.AddRange([double[]](Measure-Call -Call $sam -Count $job.b2_per_round))
        $msalTimes.AddRange([double[]](Measure-Call -Call $msal -Count $job.b2_per_round))
    }
    $result.b2_sam_ms = $samTimes.ToArray()
    $result.b2_msal_ms = $msalTimes.ToArray()
    $result.b2_sam_profile_ms = Measure-Call -Call $samProfile -Count $job.b2_profile_runs
} catch {
    $result.b2_error = $_.Exception.Message
}
ConvertTo-Json -InputObject $result -Compress -Depth 4
