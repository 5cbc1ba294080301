# B5's baseline, run as a whole fresh `pwsh -NoProfile` per sample by benchmarks/run.py: a runbook that
# loads MSAL.NET (and the compiled MsalRefresh helper), redeems the refresh token stored in a file
# and writes MSAL.NET's token cache, with the rotated refresh token, back to a file.
param(
    [Parameter(Mandatory = $true)][string] $JobPath
)
$ErrorActionPreference = 'Stop'
$job = Get-Content -LiteralPath $JobPath -Raw | ConvertFrom-Json
foreach ($dll in @($job.abstractions_dll, $job.msal_dll, $job.helper_dll)) { Add-Type -LiteralPath $dll }
$result = [SamBridgeBench.MsalRefresh]::RedeemStored($job.app_id, $job.authority, $job.ca_bundle, [string[]]@($job.scopes),
    $job.refresh_token_path, $job.cache_path)
if (-not $result.AccessToken) { throw 'MSAL.NET returned no access token' }
