<#
.SYNOPSIS
    Exchange Online PowerShell for a customer through GDAP, with a token from sam-bridge.
.DESCRIPTION
    The reference doc says delegated admin cannot reach a customer's Exchange Online under enforced
    MFA, and works around it with an account that never signs in interactively (so, without MFA).
    That workaround is no longer needed, and should not be used: ExchangeOnlineManagement 3.1.0 and
    later accept -AccessToken, and -DelegatedOrganization names the customer the partner administers
    through its granular delegated admin (GDAP) relationship. sam-bridge exchanges the MFA-backed
    refresh token at the customer's tenant for an Exchange Online token
    (https://outlook.office365.com/.default).
.PARAMETER ProfileName
    The sam-bridge profile (default: SAM_BRIDGE_PROFILE, else the configuration's default).
.PARAMETER Tenant
    The customer tenant id or domain.
.EXAMPLE
    ./Connect-ExchangeOnline.ps1 -ProfileName contoso -Tenant fabrikam.onmicrosoft.com
    Get-EXOMailbox -ResultSize 5
#>
[CmdletBinding()]
param(
    [string] $ProfileName = $env:SAM_BRIDGE_PROFILE,
    [Parameter(Mandatory = $true)][string] $Tenant
)
if (-not (Get-Module -Name SamBridge)) { Import-Module -Name SamBridge -ErrorAction Stop }

$sam = @{ Target = 'ExchangeOnline' }
if ($ProfileName) { $sam['Profile'] = $ProfileName }
if ($Tenant) { $sam['Tenant'] = $Tenant }
# The tokens this cmdlet needs, in the shape of the installed module's version.
$params = Get-SamConnectParameter @sam -ErrorAction Stop
ExchangeOnlineManagement\Connect-ExchangeOnline @params -ShowBanner:$false
