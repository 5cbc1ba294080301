<#
.SYNOPSIS
    Partner Center PowerShell (Connect-PartnerCenter) with a token from sam-bridge: the reference doc's "Partner Center" sample, fixed.
.DESCRIPTION
    Gets a Partner Center token (https://api.partnercenter.microsoft.com/user_impersonation) for the
    partner tenant. The doc's call adds -ApplicationId, which only PartnerCenter 2.0.1909.1 and
    older accept with -AccessToken: from 2.0.1909.2 (and in every 3.x) no parameter set takes both,
    so that call fails to bind. sam-bridge produces the shape of the installed module version.
.PARAMETER ProfileName
    The sam-bridge profile (default: SAM_BRIDGE_PROFILE, else the configuration's default).
.PARAMETER ModuleVersion
    The PartnerCenter version to produce parameters for (default: the one loaded, else installed).
.EXAMPLE
    ./Connect-PartnerCenter.ps1 -ProfileName contoso
    Get-PartnerCustomer
#>
[CmdletBinding()]
param(
    [string] $ProfileName = $env:SAM_BRIDGE_PROFILE,
    [string] $ModuleVersion
)
if (-not (Get-Module -Name SamBridge)) { Import-Module -Name SamBridge -ErrorAction Stop }

$sam = @{ Target = 'PartnerCenter' }
if ($ProfileName) { $sam['Profile'] = $ProfileName }
if ($ModuleVersion) { $sam['ModuleVersion'] = $ModuleVersion }
# The tokens this cmdlet needs, in the shape of the installed module's version.
$params = Get-SamConnectParameter @sam -ErrorAction Stop
PartnerCenter\Connect-PartnerCenter @params
