<#
.SYNOPSIS
    MS Online (Connect-MsolService) with tokens from the SamBridge module: the reference doc's "MS Online" sample.
.DESCRIPTION
    Gets an Azure AD Graph token (-AdGraphAccessToken) and a Microsoft Graph token
    (-MsGraphAccessToken). Connect-MsolService has no tenant parameter: the tokens decide the tenant,
    so for a customer they are exchanged at the customer's tenant.
    MSOnline is retired (the service refuses it since mid-2025); sam-bridge warns about it. Prefer
    Connect-MicrosoftGraph.ps1. MSOnline runs only in Windows PowerShell 5.1; this script runs in both.
.PARAMETER ProfileName
    The sam-bridge profile (default: SAM_BRIDGE_PROFILE, else the configuration's default).
.PARAMETER Tenant
    A customer tenant id or domain (default: the partner tenant).
.EXAMPLE
    ./Connect-MsOnline.ps1 -ProfileName contoso -Tenant fabrikam.onmicrosoft.com
    Get-MsolUser -MaxResults 5
#>
[CmdletBinding()]
param(
    [string] $ProfileName = $env:SAM_BRIDGE_PROFILE,
    [string] $Tenant
)
if (-not (Get-Module -Name SamBridge)) { Import-Module -Name SamBridge -ErrorAction Stop }

$sam = @{ Target = 'MsolService' }
if ($ProfileName) { $sam['Profile'] = $ProfileName }
if ($Tenant) { $sam['Tenant'] = $Tenant }
# The tokens this cmdlet needs, in the shape of the installed module's version.
$params = Get-SamConnectParameter @sam -ErrorAction Stop
MSOnline\Connect-MsolService @params
