<#
.SYNOPSIS
    Azure AD PowerShell (Connect-AzureAD) with tokens from sam-bridge: the reference doc's "Azure Active Directory" sample.
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
. (Join-Path $PSScriptRoot 'SamBridgeParams.ps1')

# Users of AzureADPreview call AzureADPreview\Connect-AzureAD instead.
$connect = Get-SamBridgeParams -Target AzureAD -ProfileName $ProfileName -Tenant $Tenant -Module AzureAD
$params = $connect.Parameters
AzureAD\Connect-AzureAD @params
