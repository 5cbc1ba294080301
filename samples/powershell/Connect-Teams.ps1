<#
.SYNOPSIS
    Microsoft Teams PowerShell (Connect-MicrosoftTeams) with tokens from the SamBridge module.
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
if (-not (Get-Module -Name SamBridge)) { Import-Module -Name SamBridge -ErrorAction Stop }

$sam = @{ Target = 'MicrosoftTeams' }
if ($ProfileName) { $sam['Profile'] = $ProfileName }
if ($Tenant) { $sam['Tenant'] = $Tenant }
# The tokens this cmdlet needs, in the shape of the installed module's version.
$params = Get-SamConnectParameter @sam -ErrorAction Stop
MicrosoftTeams\Connect-MicrosoftTeams @params
