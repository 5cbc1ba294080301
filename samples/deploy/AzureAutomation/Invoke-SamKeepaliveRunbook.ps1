<#
.SYNOPSIS
    Azure Automation runbook (PowerShell 7.2): keeps a profile's refresh token alive; the token lives in Key Vault.
.DESCRIPTION
    Schedule it daily. Every job starts in a fresh sandbox, so the runbook makes what it needs:
    the core (Install-SamBridgeCore, from the wheel in the SamBridge module package, when no
    core is found) and the profile (Register-SamProfile -Force: the config file is the
    sandbox's). What persists is the refresh token, in Key Vault, read and written with the
    Automation account's system-assigned managed identity (the Key Vault store's
    DefaultAzureCredential finds it; give the identity Key Vault Secrets Officer on the vault).
    The first consent is done once elsewhere with the same store (docs/DEPLOY.md).
.PARAMETER ProfileName
    The sam-bridge profile name.
.PARAMETER VaultName
    The Key Vault that holds the profile's secrets.
.PARAMETER ApplicationId
    The app registration's application (client) id.
.PARAMETER Tenant
    The partner tenant id or domain.
#>
param(
    [Parameter(Mandatory = $true)]
    [string] $ProfileName,

    [Parameter(Mandatory = $true)]
    [string] $VaultName,

    [Parameter(Mandatory = $true)]
    [string] $ApplicationId,

    [Parameter(Mandatory = $true)]
    [string] $Tenant
)
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
Import-Module -Name SamBridge

$core = Get-SamBridgeOption
if ($core.CoreError) {
    Write-Output "No sam-bridge core in this sandbox ($($core.CoreError)); installing it."
    $installed = Install-SamBridgeCore -Confirm:$false
    Write-Output "sam-bridge $($installed.Version) in $($installed.Path)"
}
$store = "keyvault:https://$VaultName.vault.azure.net"
$null = Register-SamProfile -Name $ProfileName -ApplicationId $ApplicationId -Tenant $Tenant -Store $store -Force -Confirm:$false
$null = New-SamAccessToken -Profile $ProfileName -Force -Confirm:$false
$status = Get-SamRefreshTokenStatus -Profile $ProfileName
Write-Output ('{0}: {1}, {2:N1} days left' -f $ProfileName, $status.State, $status.DaysLeft)
if ($status.State -ne 'ok') {
    throw "The refresh token of profile $ProfileName is $($status.State): run Invoke-SamConsent for it."
}
