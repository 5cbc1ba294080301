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
        The tenants to get tokens in: customers' tenant ids or domains for GDAP access, else the
        partner tenant (-Profile) or 'organizations' (-RefreshToken). With -Profile or -RefreshToken
        it accepts pipeline input, one token per tenant, and the TenantId, CustomerId or Domain
        property of piped objects (such as Partner Center customers). With -Profile, more than one
        tenant makes a batch: the stored refresh token is read once and redeemed for up to
        -Concurrency tenants at a time (429 answers retried after their Retry-After), and each
        token goes down the pipeline as it arrives, in the order the exchanges complete, with
        Write-Progress; a tenant that fails is one non-terminating error and the others go on.
    .PARAMETER AllCustomers
        With -Profile: every customer tenant of the profile (its configured customers, else the
        Partner Center API's customer list), as one batch.
    .PARAMETER Concurrency
        With -Profile: how many tenants of a batch are exchanged at once (1-64, default 8).
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

        One Microsoft Graph token per customer tenant (GDAP), exchanged as one batch; a tenant that
        fails is reported as a non-terminating error and the others go on.
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

        # [object], so that a string gets a specific error naming the fix, not the binder's conversion error.
        [Parameter(Mandatory = $true, ParameterSetName = 'RefreshToken')]
        [ValidateNotNull()]
        [object] $RefreshToken,

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
        [string[]] $Tenant,

        [Parameter(ParameterSetName = 'RefreshToken')]
        [switch] $IncludeRefreshToken,

        [Parameter(ParameterSetName = 'Profile')]
        [switch] $Force,

        [Parameter(ParameterSetName = 'Profile')]
        [switch] $AllCustomers,

        [Parameter(ParameterSetName = 'Profile')]
        [ValidateRange(1, 64)]
        [int] $Concurrency = 8
    )
    begin {
        if ($PSCmdlet.ParameterSetName -eq 'RefreshToken' -and $RefreshToken -isnot [System.Security.SecureString]) {
            $PSCmdlet.ThrowTerminatingError((New-SamErrorRecord -ErrorId 'SamBridge.InvalidInput' -Category InvalidArgument `
                        -Message "-RefreshToken takes a SecureString, not a $($RefreshToken.GetType().Name): a refresh token in a plain string stays readable in memory, transcripts and history." `
                        -Remediation 'Read it as a SecureString (Read-Host -AsSecureString, Get-Secret), or convert the string you have: -RefreshToken (ConvertTo-SecureString -String $refreshToken -AsPlainText -Force).' `
                        -TargetObject 'RefreshToken'))
        }
        # With -Profile, tenants are gathered so that many of them make one batch (one read of the
        # refresh token, concurrent exchanges) instead of one request each.
        $queued = [System.Collections.Generic.List[string]]::new()  # ::new, not New-Object: a tenth of the time
        $partner = $false
        $shown = 'the default profile'
        if ($Profile) { $shown = "profile '$Profile'" }
        $redeem = 'Redeem the stored refresh token for an access token'
    }
    process {
        $names = @(foreach ($name in @($Tenant)) { if ($name) { $name } })
        if ($PSCmdlet.ParameterSetName -eq 'Profile') {
            if ($names.Count -eq 0 -and -not $AllCustomers) {
                if ((Confirm-SamAction -Cmdlet $PSCmdlet -Target "$shown, the partner tenant" -Action $redeem)) { $partner = $true }
            }
            foreach ($name in $names) {
                if ((Confirm-SamAction -Cmdlet $PSCmdlet -Target "$shown, tenant '$name'" -Action $redeem)) { $queued.Add($name) }
            }
            return
        }
        # The RefreshToken and ServicePrincipal sets: one request per tenant, as New-PartnerAccessToken.
        if ($names.Count -eq 0) { $names = @($null) }
        foreach ($name in $names) {
            $where = 'the partner tenant'
            if ($name) { $where = "tenant '$name'" }
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
            if ($name) { $arguments['tenant'] = $name }
            if ($Credential) {
                $arguments['credential_user'] = $Credential.UserName
                $secrets['client_secret'] = $Credential.Password
            }
            $action = 'Redeem the refresh token for an access token'
            if ($mode -eq 'client_credentials') { $action = 'Get an app-only access token' }
            if (-not (Confirm-SamAction -Cmdlet $PSCmdlet -Target $where -Action $action)) { continue }
            $result = Invoke-SamBridgeCore -Command 'token.adhoc' -Arguments $arguments -Secrets $secrets -TargetObject $name -Cmdlet $PSCmdlet
            if ($null -ne $result) { ConvertTo-SamAccessToken -Result $result -IncludeRefreshToken:$IncludeRefreshToken }
        }
    }
    end {
        if ($PSCmdlet.ParameterSetName -ne 'Profile') { return }
        $arguments = @{ force_refresh = [bool]$Force }
        if ($Profile) { $arguments['profile'] = $Profile }
        if ($Scopes) { $arguments['scopes'] = [string[]]@($Scopes) }
        $everyCustomer = $AllCustomers -and (Confirm-SamAction -Cmdlet $PSCmdlet -Target "$shown, every customer tenant" -Action $redeem)
        if ($everyCustomer -or $queued.Count -gt 1) {
            $arguments['tenants'] = [string[]]$queued.ToArray()
            $arguments['all_customers'] = [bool]$everyCustomer
            $arguments['concurrency'] = $Concurrency
            Invoke-SamBridgeBatch -Command 'token.batch' -Arguments $arguments -Cmdlet $PSCmdlet -Activity 'Access tokens' `
                -Convert { param($Result) ConvertTo-SamAccessToken -Result $Result }
        } elseif ($queued.Count -eq 1) {
            $arguments['tenant'] = $queued[0]
            $result = Invoke-SamBridgeCore -Command 'token' -Arguments $arguments -TargetObject $queued[0] -Cmdlet $PSCmdlet
            if ($null -ne $result) { ConvertTo-SamAccessToken -Result $result }
        }
        if ($partner) {
            $arguments.Remove('tenant')
            $result = Invoke-SamBridgeCore -Command 'token' -Arguments $arguments -TargetObject $Profile -Cmdlet $PSCmdlet
            if ($null -ne $result) { ConvertTo-SamAccessToken -Result $result }
        }
    }
}
