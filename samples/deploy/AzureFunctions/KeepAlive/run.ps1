# Timer-triggered keepalive (03:00 UTC daily, function.json): the function app's managed identity
# reads and writes the refresh token in Key Vault. App settings: SAM_BRIDGE_PROFILE and
# SAM_BRIDGE_STORE (keyvault:https://NAME.vault.azure.net; the core reads both too), and
# KEEPALIVE_APP_ID and KEEPALIVE_TENANT for the profile (docs/DEPLOY.md).
param($Timer)
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

if ($Timer.IsPastDue) { Write-Warning 'The keepalive runs late (the app was asleep or scaled in).' }
$profileName = $env:SAM_BRIDGE_PROFILE
$store = $env:SAM_BRIDGE_STORE
# The config file is the instance's; the profile is written again, its secrets stay in Key Vault.
$null = Register-SamProfile -Name $profileName -ApplicationId $env:KEEPALIVE_APP_ID -Tenant $env:KEEPALIVE_TENANT -Store $store -Force -Confirm:$false
$null = New-SamAccessToken -Profile $profileName -Force -Confirm:$false
$status = Get-SamRefreshTokenStatus -Profile $profileName
Write-Information -MessageData ('{0}: {1}, {2:N1} days left' -f $profileName, $status.State, $status.DaysLeft) -InformationAction Continue
if ($status.State -ne 'ok') { throw "The refresh token of profile $profileName is $($status.State): run Invoke-SamConsent for it." }
