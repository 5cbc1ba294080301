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

function Measure-Alternating {
    # Two calls measured in alternating rounds (a change in the machine's load hits both alike);
    # every call's time in ms, as two arrays: First and Second.
    param([Parameter(Mandatory = $true)][scriptblock] $First, [Parameter(Mandatory = $true)][scriptblock] $Second)
    $firstTimes = New-Object -TypeName System.Collections.Generic.List[double]
    $secondTimes = New-Object -TypeName System.Collections.Generic.List[double]
    for ($round = 0; $round -lt $job.b2_rounds; $round++) {
        $firstTimes.AddRange([double[]](Measure-Call -Call $First -Count $job.b2_per_round))
        $secondTimes.AddRange([double[]](Measure-Call -Call $Second -Count $job.b2_per_round))
    }
    @{ First = $firstTimes.ToArray(); Second = $secondTimes.ToArray() }
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
    $times = Measure-Alternating -First $sam -Second $msal
    $result.b2_sam_ms = $times.First
    $result.b2_msal_ms = $times.Second

    # What bounds B2, measured in this pwsh: the core's own exchange without the PowerShell layers
    # (the in-process entry called directly with the cmdlet's request), and a bare requests.post of
    # the same token request from the same Python (no msal, no sam-bridge): the floor of a Python
    # client here.
    $engine = & (Get-Module -Name SamBridge) { (Get-SamBridgeTransport -Command 'token.adhoc').Engine }
    $types = $engine.Types
    $request = ConvertTo-Json -Compress -Depth 5 -InputObject ([ordered]@{
            v = 1; command = 'token.adhoc'; config = $null; secrets = @{ refresh_token = $job.refresh_token }
            args = @{ mode = 'refresh_token'; scopes = $scopes; service_principal = $false; include_refresh_token = $false; app_id = $job.app_id; tenant = $job.tenant }
        })
    $variables = [System.Environment]::GetEnvironmentVariables()
    $names = [string]::Join([string][char]0, [string[]]$variables.Keys)
    $values = [string]::Join([string][char]0, [string[]]$variables.Values)
    $core = {
        $gil = $types.Py::GIL()
        try {
            $call = [System.Array]::CreateInstance($types.PyObject, 6)
            $call[0] = $types.PyString::new($request); $call[1] = $types.PyInt::new(0); $call[2] = $types.PyString::new($PWD.ProviderPath)
            $call[3] = $types.PyString::new($names); $call[4] = $types.PyString::new($values); $call[5] = $types.PyInt::new(1)
            $started = $engine.Start.Invoke($call)
            $lines = $started.InvokeMethod('drain').ToString()
            $null = $started.InvokeMethod('finish')
        } finally {
            $gil.Dispose()
        }
        if ($lines -notlike '*"ok": true*') { throw "the core's exchange failed: $lines" }
    }
    $gil = $types.Py::GIL()
    try {
        $types.PythonEngine::Exec(@'
import json as _json, requests as _requests
def _sam_bridge_bench_bare(url, form, ca):
    session = _sam_bridge_bench_bare.__dict__.setdefault("session", _requests.Session())
    answer = session.post(url, data=_json.loads(form), verify=ca, timeout=30)
    answer.raise_for_status()
    return answer.json()["access_token"][:8]
import builtins as _builtins
_builtins._sam_bridge_bench_bare = _sam_bridge_bench_bare
'@)
        $bareFunction = $types.Py::Import('builtins').GetAttr('_sam_bridge_bench_bare')
        $bareArguments = [System.Array]::CreateInstance($types.PyObject, 3)
        $bareArguments[0] = $types.PyString::new("$($job.authority)/oauth2/v2.0/token")
        $bareArguments[1] = $types.PyString::new((ConvertTo-Json -Compress -InputObject @{
                    client_id = $job.app_id; grant_type = 'refresh_token'; refresh_token = $job.refresh_token
                    scope = "$($scopes -join ' ') offline_access openid profile"; client_info = '1' }))
        $bareArguments[2] = $types.PyString::new($job.ca_bundle)
    } finally {
        $gil.Dispose()
    }
    $bare = {
        $gil = $types.Py::GIL()
        try { $null = $bareFunction.Invoke($bareArguments) } finally { $gil.Dispose() }
    }
    & $core; & $bare
    $times = Measure-Alternating -First $core -Second $bare
    $result.b2_core_ms = $times.First
    $result.b2_bare_ms = $times.Second
    $result.b2_sam_profile_ms = Measure-Call -Call $samProfile -Count $job.b2_profile_runs
} catch {
    $result.b2_error = $_.Exception.Message
}
ConvertTo-Json -InputObject $result -Compress -Depth 4
