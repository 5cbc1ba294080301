function New-SamAccessToken {
    <#
    .SYNOPSIS
        Exchanges a refresh token for an access token: from a profile's store, or, like New-PartnerAccessToken, from -RefreshToken.
    .DESCRIPTION
        With a profile (the Profile parameter set, the default), the profile's stored refresh token
        is redeemed for an access token to one resource in the partner tenant or in a customer
        tenant (-Tenant), and its rotated successor is stored; an access token cached from an
        earlier call is reused while it has more than five minutes left (-Force redeems anyway).

        The RefreshToken and ServicePrincipal parameter sets take the parameter names of
        New-PartnerAccessToken's sets of the same names, so scripts written for it port by renaming
        the cmdlet: -ApplicationId, -Credential (the service principal: the application id as user
        name, the client secret as password), -RefreshToken, -Scopes, -ServicePrincipal and
        -Tenant. Nothing is stored in these sets. With -RefreshToken the token is redeemed once;
        without it (-ServicePrincipal -Credential) an app-only token is issued (client
        credentials). -RefreshToken is a SecureString: where an old script holds the token in a
        string, read it with Read-Host -AsSecureString or Get-Secret instead, or convert it with
        ConvertTo-SecureString -AsPlainText -Force.

        In these sets the authority and its CA bundle follow SAM_BRIDGE_AUTHORITY_HOST and
        SAM_BRIDGE_CA_BUNDLE when set (else login.microsoftonline.com); with -Profile, the
        profile's settings apply. Not supported from New-PartnerAccessToken:
        -CertificateThumbprint, -Environment, -Module and the interactive switches
        (-UseAuthorizationCode, -UseDeviceAuthentication: use Invoke-SamConsent).

        The output has AccessToken (text, for parameters such as Connect-PartnerCenter
        -AccessToken), ExpiresOn, Scopes and TenantId. The rotated refresh token is included only
        with -IncludeRefreshToken, as a SecureString.
    .PARAMETER Profile
        The sam-bridge profile whose stored refresh token to redeem (default: SAM_BRIDGE_PROFILE,
        else the configuration's default profile, else the only one).
    .PARAMETER RefreshToken
        The refresh token to redeem, as a SecureString (New-PartnerAccessToken's -RefreshToken).
    .PARAMETER ApplicationId
        The application (client) id the refresh token was issued to. Optional when -Credential's
        user name is the application id.
    .PARAMETER Credential
        The service principal's credential: the application id as user name and the client secret
        as password (Get-Credential). Makes the request as a confidential client.
    .PARAMETER ServicePrincipal
        Marks -Credential as a service principal's, as New-PartnerAccessToken requires. Without
        -RefreshToken it asks for an app-only token (client credentials).
    .PARAMETER Scopes
        The scopes, all of one resource, e.g. 'https://api.partnercenter.microsoft.com/user_impersonation'
        or 'https://graph.microsoft.com/.default'. Default with -Profile: the profile's scopes
        (Partner Center unless configured otherwise). A scope with a doubled slash (the reference
        doc's 'https://management.azure.com//user_impersonation') is fixed, with a warning.
    .PARAMETER Tenant
        The tenant to get the token in: a customer's tenant id or domain for GDAP access, else the
        partner tenant (-Profile) or 'organizations' (-RefreshToken). With -Profile or -RefreshToken
        it accepts pipeline input, one token per tenant, and the TenantId, CustomerId or Domain
        property of piped objects (such as Partner Center customers).
    .PARAMETER IncludeRefreshToken
        Add the rotated refresh token to the output as RefreshToken (a SecureString). Only in the
        RefreshToken set: with -Profile the rotated token is kept in the profile's store.
    .PARAMETER Force
        With -Profile: redeem the refresh token even if a cached access token is still valid.
    .EXAMPLE
        $token = New-SamAccessToken -Profile contoso
        PartnerCenter\Connect-PartnerCenter -AccessToken $token.AccessToken -Tenant $token.TenantId

        A Partner Center token (the profile's default scope) for the partner tenant.
    .EXAMPLE
        'fabrikam.onmicrosoft.com', 'northwind.onmicrosoft.com' | New-SamAccessToken -Profile contoso -Scopes 'https://graph.microsoft.com/.default'

        One Microsoft Graph token per customer tenant (GDAP); a tenant that fails is reported as a
        non-terminating error and the next one goes on.
    .EXAMPLE
        $credential = Get-Credential -UserName 'fdfc3a80-858a-4d5a-bf36-e3e72b287785' -Message 'Client secret'
        $refreshToken = Read-Host -AsSecureString -Prompt 'Refresh token'
        $token = New-SamAccessToken -ApplicationId 'fdfc3a80-858a-4d5a-bf36-e3e72b287785' -Credential $credential -RefreshToken $refreshToken -Scopes 'https://api.partnercenter.microsoft.com/user_impersonation' -ServicePrincipal -Tenant 'contoso.onmicrosoft.com'

        The reference doc's exchange step, ported from New-PartnerAccessToken by renaming the cmdlet.
    .EXAMPLE
        $token = New-SamAccessToken -RefreshToken $refreshToken -ApplicationId $appId -Credential $credential -ServicePrincipal -Scopes 'https://graph.microsoft.com/.default' -Tenant $tenant -IncludeRefreshToken
        Set-Secret -Name PartnerRefreshToken -SecureStringSecret $token.RefreshToken

        Keeps the rotated refresh token (here with SecretManagement) for the next run.
    .INPUTS
        System.String (tenants), or objects with a TenantId, CustomerId or Domain property.
    .OUTPUTS
        SamBridge.AccessToken: AccessToken, ExpiresOn (DateTimeOffset, UTC), Scopes, TenantId,
        TokenType, and RefreshToken (SecureString) with -IncludeRefreshToken.
    .LINK
        Get-SamConnectParameter
    .LINK
        Invoke-SamConsent
    #>
    [CmdletBinding(DefaultParameterSetName = 'Profile', SupportsShouldProcess = $true, ConfirmImpact = 'Low')]
    [OutputType('SamBridge.AccessToken')]
    param(
        [Parameter(ParameterSetName = 'Profile')]
        [ValidateNotNullOrEmpty()]
        [string] $Profile,

        [Parameter(Mandatory = $true, ParameterSetName = 'RefreshToken')]
        [ValidateNotNull()]
        [System.Security.SecureString] $RefreshToken,

        [Parameter(ParameterSetName = 'RefreshToken')]
        [Parameter(Mandatory = $true, ParameterSetName = 'ServicePrincipal')]
        [Alias('ClientId')]
        [ValidateNotNullOrEmpty()]
        [string] $ApplicationId,

        [Parameter(ParameterSetName = 'RefreshToken')]
        [Parameter(Mandatory = $true, ParameterSetName = 'ServicePrincipal')]
        [ValidateNotNull()]
        [System.Management.Automation.PSCredential]
        [System.Management.Automation.Credential()]
        $Credential,

        [Parameter(ParameterSetName = 'RefreshToken')]
        [Parameter(Mandatory = $true, ParameterSetName = 'ServicePrincipal')]
        [switch] $ServicePrincipal,

        [Parameter(ParameterSetName = 'Profile')]
        [Parameter(Mandatory = $true, ParameterSetName = 'RefreshToken')]
        [Parameter(Mandatory = $true, ParameterSetName = 'ServicePrincipal')]
        [ValidateNotNullOrEmpty()]
        [string[]] $Scopes,

        [Parameter(ParameterSetName = 'Profile', ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Parameter(ParameterSetName = 'RefreshToken', ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Parameter(Mandatory = $true, ParameterSetName = 'ServicePrincipal')]
        [Alias('Domain', 'TenantId', 'CustomerId')]
        [ValidateNotNullOrEmpty()]
        [string] $Tenant,

        [Parameter(ParameterSetName = 'RefreshToken')]
        [switch] $IncludeRefreshToken,

        [Parameter(ParameterSetName = 'Profile')]
        [switch] $Force
    )
    process {
        $where = 'the partner tenant'
        if ($Tenant) { $where = "tenant '$Tenant'" }
        if ($PSCmdlet.ParameterSetName -eq 'Profile') {
            $arguments = @{ force_refresh = [bool]$Force }
            if ($Profile) { $arguments['profile'] = $Profile }
            if ($Scopes) { $arguments['scopes'] = [string[]]@($Scopes) }
            if ($Tenant) { $arguments['tenant'] = $Tenant }
            $shown = 'the default profile'
            if ($Profile) { $shown = "profile '$Profile'" }
            if (-not $PSCmdlet.ShouldProcess("$shown, $where", 'Redeem the stored refresh token for an access token')) { return }
            $target = $Profile
            if ($Tenant) { $target = $Tenant }
            $result = Invoke-SamBridgeCore -Command 'token' -Arguments $arguments -TargetObject $target -Cmdlet $PSCmdlet
        } else {
            $mode = 'client_credentials'
            if ($PSCmdlet.ParameterSetName -eq 'RefreshToken') { $mode = 'refresh_token' }
            $arguments = @{
                mode                  = $mode
                scopes                = [string[]]@($Scopes)
                service_principal     = [bool]$ServicePrincipal
                include_refresh_token = [bool]$IncludeRefreshToken
            }
            $secrets = @{ refresh_token = $RefreshToken }
            if ($ApplicationId) { $arguments['app_id'] = $ApplicationId }
            if ($Tenant) { $arguments['tenant'] = $Tenant }
            if ($Credential) {
                $arguments['credential_user'] = $Credential.UserName
                $secrets['client_secret'] = $Credential.Password
            }
            $action = 'Redeem the refresh token for an access token'
            if ($mode -eq 'client_credentials') { $action = 'Get an app-only access token' }
            if (-not $PSCmdlet.ShouldProcess($where, $action)) { return }
            $result = Invoke-SamBridgeCore -Command 'token.adhoc' -Arguments $arguments -Secrets $secrets -TargetObject $Tenant -Cmdlet $PSCmdlet
        }
        if ($null -eq $result) { return }
        $token = [pscustomobject]@{
            AccessToken = [string]$result.access_token
            ExpiresOn   = ConvertTo-SamDateTimeOffset -Value $result.expires_on
            Scopes      = [string[]]@($result.scopes)
            TenantId    = [string]$result.tenant_id
            TokenType   = [string]$result.token_type
        }
        $token.PSObject.TypeNames.Insert(0, 'SamBridge.AccessToken')
        if ($IncludeRefreshToken) {
            $rotated = $null
            $text = Get-SamProperty -InputObject $result -Name 'refresh_token'
            if ($text) { $rotated = ConvertTo-SecureString -String $text -AsPlainText -Force }
            $text = $null
            Add-Member -InputObject $token -MemberType NoteProperty -Name 'RefreshToken' -Value $rotated
        }
        $token
    }
}
