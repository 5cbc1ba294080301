function Register-SamProfile {
    <#
    .SYNOPSIS
        Creates a sam-bridge profile: the application, the partner tenant, and where its secrets are kept.
    .DESCRIPTION
        Saves a profile in the configuration file and, for a confidential client, its client
        secret or certificate in the profile's secret store (never in the file). The secret is a
        SecureString or a PSCredential and reaches the sam-bridge core only inside its request on
        stdin. The first profile becomes the default one.

        Four kinds: a public client (-ApplicationId only: consent with a device code), a client
        secret (-ClientSecret, or -Credential with the application id as user name, as
        New-PartnerAccessToken's service principal), or a certificate (-CertificatePath, a PFX or
        PEM file with its key). An existing profile is replaced only with -Force (its stored
        refresh token stays).
    .PARAMETER Name
        The profile name: 1-64 letters, digits, '.', '_' or '-'.
    .PARAMETER ApplicationId
        The application (client) id of the app registration. With -Credential it may be left out
        (the credential's user name is the application id).
    .PARAMETER Tenant
        The partner tenant: its id or a verified domain such as contoso.onmicrosoft.com.
    .PARAMETER ClientSecret
        The client secret of a confidential client, as a SecureString (the secret's Value, not its id).
    .PARAMETER Credential
        The client secret as a PSCredential: the application id as user name, the secret as password.
    .PARAMETER CertificatePath
        A PFX or PEM file with the certificate registered on the app and its private key.
    .PARAMETER CertificatePassword
        The password of the certificate file, if it has one.
    .PARAMETER AuthorityHost
        The Entra authority, e.g. https://login.microsoftonline.us for US Government (default:
        SAM_BRIDGE_AUTHORITY_HOST, else https://login.microsoftonline.com).
    .PARAMETER AllowCustomAuthority
        Allow an AuthorityHost that is not one of Microsoft's (the emulator, a private test authority).
        Without it such a host is refused, so a mistyped or planted host never receives tokens.
    .PARAMETER CaBundle
        A PEM file of CA certificates to trust for the authority (for a private or test authority).
    .PARAMETER Store
        Where secrets live: keyring (the OS keychain, default), keyring:SERVICE, file:PATH,
        memory, or keyvault:https://NAME.vault.azure.net.
    .PARAMETER Scopes
        The scopes consent asks for and New-SamAccessToken uses by default (default: Partner Center).
    .PARAMETER Customers
        Customer tenants (ids or domains) that Test-SamProfile checks by default.
    .PARAMETER RedirectPort
        A fixed loopback port for browser consent, when the app registration names one (default: any free port).
    .PARAMETER PartnerCenterUrl
        The Partner Center API that lists the customers for -AllCustomers (default:
        https://api.partnercenter.microsoft.com; another for a sovereign cloud or a test service).
    .PARAMETER GraphUrl
        The Microsoft Graph API that Get-SamCustomer reads the GDAP relationships from (default:
        https://graph.microsoft.com; another for a sovereign cloud or a test service).
    .PARAMETER Default
        Make this the default profile.
    .PARAMETER Force
        Replace a profile of the same name.
    .EXAMPLE
        Register-SamProfile -Name contoso -ApplicationId d08dc19e-ba2a-454d-8b27-fe0fdf4a176c -Tenant contoso.onmicrosoft.com
        Invoke-SamConsent -Profile contoso
    .EXAMPLE
        $credential = Get-Credential -UserName fdfc3a80-858a-4d5a-bf36-e3e72b287785 -Message 'Client secret'
        Register-SamProfile -Name contoso-sp -Credential $credential -Tenant contoso.onmicrosoft.com -Store keyring

        A confidential client, as New-PartnerAccessToken's -ServicePrincipal -Credential.
    .EXAMPLE
        Register-SamProfile -Name contoso-cert -ApplicationId e5e909da-fb6e-477d-86f1-1f31889b88c2 -Tenant contoso.onmicrosoft.com -CertificatePath ./app.pfx -CertificatePassword (Read-Host -AsSecureString)
    .OUTPUTS
        SamBridge.Profile
    .LINK
        Get-SamProfile
    .LINK
        Invoke-SamConsent
    #>
    [CmdletBinding(DefaultParameterSetName = 'PublicClient', SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('SamBridge.Profile')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [Alias('Profile')]
        [ValidateNotNullOrEmpty()]
        [string] $Name,

        [Parameter(Mandatory = $true, ParameterSetName = 'PublicClient', ValueFromPipelineByPropertyName = $true)]
        [Parameter(Mandatory = $true, ParameterSetName = 'ClientSecret', ValueFromPipelineByPropertyName = $true)]
        [Parameter(ParameterSetName = 'Credential', ValueFromPipelineByPropertyName = $true)]
        [Parameter(Mandatory = $true, ParameterSetName = 'Certificate', ValueFromPipelineByPropertyName = $true)]
        [Alias('ClientId', 'AppId')]
        [ValidateNotNullOrEmpty()]
        [string] $ApplicationId,

        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('TenantId')]
        [ValidateNotNullOrEmpty()]
        [string] $Tenant,

        [Parameter(Mandatory = $true, ParameterSetName = 'ClientSecret')]
        [ValidateNotNull()]
        [System.Security.SecureString] $ClientSecret,

        [Parameter(Mandatory = $true, ParameterSetName = 'Credential')]
        [ValidateNotNull()]
        [System.Management.Automation.PSCredential]
        [System.Management.Automation.Credential()]
        $Credential,

        [Parameter(Mandatory = $true, ParameterSetName = 'Certificate')]
        [ValidateNotNullOrEmpty()]
        [string] $CertificatePath,

        [Parameter(ParameterSetName = 'Certificate')]
        [System.Security.SecureString] $CertificatePassword,

        [ValidateNotNullOrEmpty()]
        [string] $AuthorityHost,

        [ValidateNotNullOrEmpty()]
        [string] $CaBundle,

        [ValidateNotNullOrEmpty()]
        [string] $Store,

        [ValidateNotNullOrEmpty()]
        [string[]] $Scopes,

        [ValidateNotNullOrEmpty()]
        [string[]] $Customers,

        [ValidateRange(0, 65535)]
        [int] $RedirectPort,

        [ValidateNotNullOrEmpty()]
        [string] $PartnerCenterUrl,

        [ValidateNotNullOrEmpty()]
        [string] $GraphUrl,

        [switch] $AllowCustomAuthority,

        [switch] $Default,

        [switch] $Force
    )
    process {
        $arguments = @{ name = $Name; tenant = $Tenant; default = [bool]$Default; force = [bool]$Force }
        $secrets = @{}
        if ($ApplicationId) { $arguments['app_id'] = $ApplicationId }
        if ($AuthorityHost) { $arguments['authority_host'] = $AuthorityHost }
        if ($CaBundle) { $arguments['ca_bundle'] = $PSCmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($CaBundle) }
        if ($Store) { $arguments['store'] = $Store }
        if ($Scopes) { $arguments['scopes'] = [string[]]@($Scopes) }
        if ($Customers) { $arguments['customers'] = [string[]]@($Customers) }
        if ($PSBoundParameters.ContainsKey('RedirectPort')) { $arguments['redirect_port'] = $RedirectPort }
        if ($PartnerCenterUrl) { $arguments['partner_center_url'] = $PartnerCenterUrl }
        if ($GraphUrl) { $arguments['graph_url'] = $GraphUrl }
        if ($AllowCustomAuthority) { $arguments['custom_authority'] = $true }
        switch ($PSCmdlet.ParameterSetName) {
            'ClientSecret' { $secrets['client_secret'] = $ClientSecret }
            'Credential' {
                $arguments['credential_user'] = $Credential.UserName
                $secrets['client_secret'] = $Credential.Password
            }
            'Certificate' {
                $arguments['certificate_path'] = $PSCmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($CertificatePath)
                if ($CertificatePassword) { $secrets['certificate_password'] = $CertificatePassword }
            }
        }
        $action = 'Create the profile'
        if ($Force) { $action = 'Create or replace the profile' }
        if (-not (Confirm-SamAction -Cmdlet $PSCmdlet -Target "profile '$Name'" -Action $action)) { return }
        Invoke-SamBridgeCore -Command 'profile.register' -Arguments $arguments -Secrets $secrets -TargetObject $Name -Cmdlet $PSCmdlet |
            ConvertTo-SamObject -TypeName 'SamBridge.Profile'
    }
}
