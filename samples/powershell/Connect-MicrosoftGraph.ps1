<#
.SYNOPSIS
    Microsoft Graph PowerShell (Connect-MgGraph) with a token from sam-bridge.
.DESCRIPTION
    Gets a Microsoft Graph token (https://graph.microsoft.com/.default) for the partner tenant or a
    customer tenant. Connect-MgGraph 2.0.0 and later declare -AccessToken as a SecureString and
    refuse plain text (the 1.x samples found online pass a string); sam-bridge marks the parameter
    as secure and Get-SamConnectParameter converts it, for whichever version is installed.
.PARAMETER ProfileName
    The sam-bridge profile (default: SAM_BRIDGE_PROFILE, else the configuration's default).
.PARAMETER Tenant
    A customer tenant id or domain (default: the partner tenant).
.EXAMPLE
    ./Connect-MicrosoftGraph.ps1 -ProfileName contoso -Tenant fabrikam.onmicrosoft.com
    Get-MgUser -Top 5
#>
[CmdletBinding()]
param(
    [string] $ProfileName = $env:SAM_BRIDGE_PROFILE,
    [string] $Tenant
)
if (-not (Get-Module -Name SamBridge)) { Import-Module -Name SamBridge -ErrorAction Stop }

$sam = @{ Target = 'MgGraph' }
if ($ProfileName) { $sam['Profile'] = $ProfileName }
if ($Tenant) { $sam['Tenant'] = $Tenant }
# The tokens this cmdlet needs, in the shape of the installed module's version.
$params = Get-SamConnectParameter @sam -ErrorAction Stop
Microsoft.Graph.Authentication\Connect-MgGraph @params
