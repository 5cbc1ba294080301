<#
.SYNOPSIS
    The reference doc's "Partner Center" sample, ported from New-PartnerAccessToken to New-SamAccessToken.
.DESCRIPTION
    Microsoft's "Automating tasks with PowerShell" page connects Partner Center with:

        $credential = Get-Credential
        $refreshToken = '<refreshToken>'
        $token = New-PartnerAccessToken -ApplicationId 'xxxx-xxxx-xxxx-xxxx' -Credential $credential -RefreshToken $refreshToken -Scopes 'https://api.partnercenter.microsoft.com/user_impersonation' -ServicePrincipal -Tenant 'xxxx-xxxx-xxxx-xxxx'
        Connect-PartnerCenter -AccessToken $token.AccessToken -ApplicationId 'xxxx-xxxx-xxxx-xxxx' -Tenant 'xxxx-xxxx-xxxx-xxxx'

    Here the exchange is the same call with the cmdlet renamed: New-SamAccessToken takes
    New-PartnerAccessToken's -ApplicationId, -Credential (the service principal: application id
    and client secret), -RefreshToken, -Scopes, -ServicePrincipal and -Tenant, and returns
    AccessToken the same way, without loading MSAL.NET into the session. Two changes:

    * The refresh token is a SecureString (Read-Host -AsSecureString here; in a job, Get-Secret or
      a Key Vault secret's SecretValue), not a string literal in the script.
    * Connect-PartnerCenter is called module-qualified and without -ApplicationId: from
      PartnerCenter 2.0.1909.2 on (all of 3.x) no parameter set takes -ApplicationId together with
      -AccessToken, so the doc's call fails to bind.

    Each exchange also issues a new refresh token whose 90 days start now. To keep it, add
    -IncludeRefreshToken and store $token.RefreshToken (a SecureString), e.g. with Set-Secret
    (SecretManagement) or in Key Vault; or let sam-bridge keep and rotate it for you
    (Register-SamProfile, Invoke-SamConsent, then Connect-PartnerCenter.ps1).
.PARAMETER ApplicationId
    The application (client) id of the app registration (the doc's 'xxxx-xxxx-xxxx-xxxx').
.PARAMETER Tenant
    The partner tenant id or domain.
.PARAMETER Credential
    The service principal: the application id as user name and the client secret as password
    (default: asked for with Get-Credential, as in the doc).
.PARAMETER RefreshToken
    The refresh token from the consent step (default: asked for with Read-Host -AsSecureString).
.EXAMPLE
    ./ReferenceDoc-PartnerCenter.ps1 -ApplicationId fdfc3a80-858a-4d5a-bf36-e3e72b287785 -Tenant contoso.onmicrosoft.com
    Get-PartnerCustomer
.EXAMPLE
    $refreshToken = Get-Secret -Name PartnerCenterRefreshToken
    ./ReferenceDoc-PartnerCenter.ps1 -ApplicationId $appId -Tenant $tenant -Credential $credential -RefreshToken $refreshToken
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][string] $ApplicationId,
    [Parameter(Mandatory = $true)][string] $Tenant,
    [System.Management.Automation.PSCredential] $Credential,
    [System.Security.SecureString] $RefreshToken
)
if (-not (Get-Module -Name SamBridge)) { Import-Module -Name SamBridge -ErrorAction Stop }

if (-not $Credential) { $Credential = Get-Credential -UserName $ApplicationId -Message 'The application id and its client secret' }
if (-not $RefreshToken) { $RefreshToken = Read-Host -AsSecureString -Prompt 'Refresh token' }

$token = New-SamAccessToken -ApplicationId $ApplicationId -Credential $Credential -RefreshToken $RefreshToken -Scopes 'https://api.partnercenter.microsoft.com/user_impersonation' -ServicePrincipal -Tenant $Tenant -ErrorAction Stop

PartnerCenter\Connect-PartnerCenter -AccessToken $token.AccessToken -Tenant $Tenant
