<#
.SYNOPSIS
    MS Online (Connect-MsolService) with tokens from sam-bridge: the reference doc's "MS Online" sample.
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
. (Join-Path $PSScriptRoot 'SamBridgeParams.ps1')

$connect = Get-SamBridgeParams -Target MsolService -ProfileName $ProfileName -Tenant $Tenant -Module MSOnline
$params = $connect.Parameters
MSOnline\Connect-MsolService @params
