<#
.SYNOPSIS
    Azure PowerShell (Connect-AzAccount) with tokens from the SamBridge module: the reference doc's "Azure" sample, fixed.
.DESCRIPTION
    Gets an Azure Resource Manager token (scope https://management.azure.com/.default, not the doc's
    'https://management.azure.com//user_impersonation') and, as asked with -With, a Microsoft Graph
    token for -MicrosoftGraphAccessToken (Az.Accounts 2.7.0 and later), an Azure AD Graph token for
    -GraphAccessToken (the doc passed a Microsoft Graph token there) and a Key Vault token. The doc's
    call also passed `$token.AccessToken`, a variable it never set, instead of `$azureToken`; here the
    splat carries every value, so there is nothing to mistype.
.PARAMETER ProfileName
    The sam-bridge profile (default: SAM_BRIDGE_PROFILE, else the configuration's default).
.PARAMETER Tenant
    A customer tenant id or domain (default: the partner tenant).
.PARAMETER With
    Extra tokens: msgraph (default), graph (Azure AD Graph), keyvault (Get-SamConnectParameter -With).
.EXAMPLE
    ./Connect-Azure.ps1 -ProfileName contoso -Tenant fabrikam.onmicrosoft.com
    Get-AzSubscription
#>
[CmdletBinding()]
param(
    [string] $ProfileName = $env:SAM_BRIDGE_PROFILE,
    [string] $Tenant,
    [string[]] $With = @('msgraph')
)
if (-not (Get-Module -Name SamBridge)) { Import-Module -Name SamBridge -ErrorAction Stop }

$sam = @{ Target = 'AzAccount' }
if ($ProfileName) { $sam['Profile'] = $ProfileName }
if ($Tenant) { $sam['Tenant'] = $Tenant }
$sam['With'] = $With
# The tokens this cmdlet needs, in the shape of the installed module's version.
$params = Get-SamConnectParameter @sam -ErrorAction Stop
Az.Accounts\Connect-AzAccount @params
