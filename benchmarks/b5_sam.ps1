# B5, run as a whole fresh `pwsh -NoProfile` per sample by benchmarks/run.py: a runbook that imports
# SamBridge and gets one access token from the profile's stored refresh token (redeemed, rotated and
# stored: -Force, as a fresh runbook sandbox has no cached access token).
param(
    [Parameter(Mandatory = $true)][string] $JobPath
)
$ErrorActionPreference = 'Stop'
$job = Get-Content -LiteralPath $JobPath -Raw | ConvertFrom-Json
Import-Module -Name $job.module
$token = New-SamAccessToken -Profile $job.profile -Scopes ([string[]]@($job.scopes)) -Force -Confirm:$false
if (-not $token.AccessToken) { throw 'New-SamAccessToken returned no access token' }
