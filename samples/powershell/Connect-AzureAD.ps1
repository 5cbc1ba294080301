<#
.SYNOPSIS
    Azure AD PowerShell (Connect-AzureAD) with tokens from the SamBridge module: the reference doc's "Azure Active Directory" sample.
.DESCRIPTION
    Gets an Azure AD Graph token (-AadAccessToken) and a Microsoft Graph token (-MsAccessToken) in the
    partner tenant or a customer tenant, and passes -AccountId (the consenting user) and -TenantId,
    which the doc left out (without it, the help says, the account signs in to its home tenant).
    The AzureAD module is deprecated and being retired: sam-bridge warns about it. Prefer
    Connect-MicrosoftGraph.ps1. AzureAD runs only in Windows PowerShell 5.1; this script runs in both.
.PARAMETER ProfileName
    The sam-bridge profile (default: SAM_BRIDGE_PROFILE, else the configuration's default).
.PARAMETER Tenant
    A customer tenant id or domain (default: the partner tenant).
.EXAMPLE
    ./Connect-AzureAD.ps1 -ProfileName contoso -Tenant fabrikam.onmicrosoft.com
    Get-AzureADUser -Top 5
#>
[CmdletBinding()]
param(
    [string] $ProfileName = $env:SAM_BRIDGE_PROFILE,
    [string] $Tenant
)
if (-not (Get-Module -Name SamBridge)) { Import-Module -Name SamBridge -ErrorAction Stop }

$sam = @{ Target = 'AzureAD' }
if ($ProfileName) { $sam['Profile'] = $ProfileName }
if ($Tenant) { $sam['Tenant'] = $Tenant }
# The tokens this cmdlet needs, in the shape of the installed module's version.
$params = Get-SamConnectParameter @sam -ErrorAction Stop
# Users of AzureADPreview call AzureADPreview\Connect-AzureAD instead.
AzureAD\Connect-AzureAD @params
