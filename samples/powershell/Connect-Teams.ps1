<#
.SYNOPSIS
    Microsoft Teams PowerShell (Connect-MicrosoftTeams) with tokens from sam-bridge.
.DESCRIPTION
    MicrosoftTeams 2.3.2-preview and later take -AccessTokens: a Microsoft Graph token and a token
    for the Skype and Teams Tenant Admin API (48ac35b8-9aa8-4d74-927d-1f4a14a0b239), in that order.
    Older versions took -AadAccessToken, -MsAccessToken and -AccountId; sam-bridge produces either
    shape, for the version installed.
.PARAMETER ProfileName
    The sam-bridge profile (default: SAM_BRIDGE_PROFILE, else the configuration's default).
.PARAMETER Tenant
    A customer tenant id or domain (default: the partner tenant).
.EXAMPLE
    ./Connect-Teams.ps1 -ProfileName contoso -Tenant fabrikam.onmicrosoft.com
    Get-CsTenant
#>
[CmdletBinding()]
param(
    [string] $ProfileName = $env:SAM_BRIDGE_PROFILE,
    [string] $Tenant
)
. (Join-Path $PSScriptRoot 'SamBridgeParams.ps1')

$connect = Get-SamBridgeParams -Target MicrosoftTeams -ProfileName $ProfileName -Tenant $Tenant -Module MicrosoftTeams
$params = $connect.Parameters
MicrosoftTeams\Connect-MicrosoftTeams @params
