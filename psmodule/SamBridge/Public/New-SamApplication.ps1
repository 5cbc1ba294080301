function New-SamApplication {
    <#
    .SYNOPSIS
        Creates (or reconciles) the multi-tenant Secure Application Model app, its client secret, the profile and its refresh token.
    .DESCRIPTION
        Signs a partner admin in once (device code by default, with MFA) with a Microsoft public
        client, then creates through Microsoft Graph a multi-tenant application (AzureADMultipleOrgs)
        with the redirect URIs consent needs and the delegated permissions the chosen Connect-*
        targets need, its service principal and admin consent in the partner tenant, and a client
        secret, which goes to the profile's store (never to the output). The profile is written, and
        a second sign-in, with the new app, stores its refresh token.

        Run again for an existing profile, it finds the app by its id and reconciles permissions and
        redirect URIs; with -WhatIf it shows each difference and changes nothing.
    .PARAMETER Name
        The sam-bridge profile to create or reconcile.
    .PARAMETER Tenant
        The partner tenant id or domain (needed for a new profile).
    .PARAMETER ApplicationId
        Reconcile this existing application of the partner tenant instead of creating one.
    .PARAMETER Targets
        The Connect-* targets whose delegated permissions the app needs, e.g. PartnerCenter, MgGraph,
        ExchangeOnline (default: every current target).
    .PARAMETER DisplayName
        The name of a new application (default: 'sam-bridge <Name>').
    .PARAMETER SecretDays
        Lifetime of a new client secret in days (1-730, default 180), capped by the tenant's app
        management policy.
    .PARAMETER Credential
        The app's credential: Secret (default) or Certificate (a self-signed certificate whose key
        stays in the profile's store; -SecretDays is then at most 365).
    .PARAMETER NoConsent
        Do not sign in with the new app (no refresh token is stored; run Invoke-SamConsent later).
    .PARAMETER SignInMethod
        How the partner admin signs in: DeviceCode (default), Browser or PrintUrl.
    .PARAMETER Store
        Where the secret and the refresh token live: keyring (default), file:PATH, keyvault:URL.
    .PARAMETER AuthorityHost
        The Entra authority (default https://login.microsoftonline.com; the emulator in tests).
    .PARAMETER AllowCustomAuthority
        Allow an AuthorityHost that is not one of Microsoft's (the emulator, a private test authority);
        the profile written remembers it, as Register-SamProfile -AllowCustomAuthority does.
    .PARAMETER CaBundle
        CA certificate(s) to trust for the authority, Graph and Partner Center.
    .PARAMETER GraphUrl
        Microsoft Graph's base URL (default https://graph.microsoft.com).
    .PARAMETER PartnerCenterUrl
        Partner Center's API base URL (default https://api.partnercenter.microsoft.com).
    .PARAMETER BootstrapClientId
        The public client to sign in with before the app exists (default: Microsoft Graph Command Line Tools).
    .EXAMPLE
        New-SamApplication -Name contoso -Tenant contoso.onmicrosoft.com -Targets PartnerCenter, MgGraph, ExchangeOnline

        Creates the app and the profile 'contoso'; shows two device codes to sign in with.
    .EXAMPLE
        New-SamApplication -Name contoso -Targets PartnerCenter, MgGraph, ExchangeOnline, MicrosoftTeams -WhatIf

        Shows the permissions that adding MicrosoftTeams would add, and changes nothing.
    .OUTPUTS
        SamBridge.ApplicationResult: Profile, ApplicationId, ObjectId, TenantId, WhatIf, Changed, Changes, Credential, Consent.
    .LINK
        Grant-SamCustomerConsent
    .LINK
        Update-SamApplicationCredential
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('SamBridge.ApplicationResult')]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string] $Name,

        [ValidateNotNullOrEmpty()]
        [string] $Tenant,

        [ValidateNotNullOrEmpty()]
        [string] $ApplicationId,

        [ValidateNotNullOrEmpty()]
        [string[]] $Targets,

        [ValidateNotNullOrEmpty()]
        [string] $DisplayName,

        [ValidateRange(1, 730)]
        [int] $SecretDays,

        [ValidateSet('Secret', 'Certificate')]
        [string] $Credential = 'Secret',

        [switch] $NoConsent,

        [ValidateSet('DeviceCode', 'Browser', 'PrintUrl')]
        [string] $SignInMethod = 'DeviceCode',

        [ValidateNotNullOrEmpty()]
        [string] $Store,

        [ValidateNotNullOrEmpty()]
        [string] $AuthorityHost,

        [switch] $AllowCustomAuthority,

        [ValidateNotNullOrEmpty()]
        [string] $CaBundle,

        [ValidateNotNullOrEmpty()]
        [string] $GraphUrl,

        [ValidateNotNullOrEmpty()]
        [string] $PartnerCenterUrl,

        [ValidateNotNullOrEmpty()]
        [string] $BootstrapClientId
    )
    $methods = @{ DeviceCode = 'device-code'; Browser = 'browser'; PrintUrl = 'print-url' }
    $arguments = @{ name = $Name; consent = (-not $NoConsent); sign_in = $methods[$SignInMethod]
        credential = $Credential.ToLowerInvariant() }
    $map = @{ Tenant = 'tenant'; ApplicationId = 'app_id'; DisplayName = 'display_name'; Store = 'store'; AuthorityHost = 'authority_host'
        CaBundle = 'ca_bundle'; GraphUrl = 'graph_url'; PartnerCenterUrl = 'partner_center_url'; BootstrapClientId = 'bootstrap_client_id' }
    # Without -SecretDays the core applies its own default (bridge/_core/constants.py), as the CLI does.
    if ($PSBoundParameters.ContainsKey('SecretDays')) { $arguments['secret_days'] = $SecretDays }
    foreach ($key in $map.Keys) {
        if ($PSBoundParameters.ContainsKey($key)) { $arguments[$map[$key]] = [string]$PSBoundParameters[$key] }
    }
    if ($AllowCustomAuthority) { $arguments['custom_authority'] = $true }
    if ($Targets) { $arguments['targets'] = @($Targets) }
    if ($WhatIfPreference) {
        # The core reads the app and reports the difference; nothing is written.
        $arguments['what_if'] = $true
        $plan = Invoke-SamBridgeCore -Command 'app.create' -Arguments $arguments -TargetObject $Name -Cmdlet $PSCmdlet
        if ($null -eq $plan) { return }
        $changes = $plan.changes
        $lines = @()
        if ($changes.create) { $lines += 'create the multi-tenant application' }
        foreach ($resource in $changes.added_permissions.PSObject.Properties) {
            foreach ($permission in @($resource.Value)) { $lines += "add permission $permission of $($resource.Name)" }
        }
        foreach ($resource in $changes.removed_permissions.PSObject.Properties) {
            foreach ($permission in @($resource.Value)) { $lines += "remove permission $permission of $($resource.Name)" }
        }
        foreach ($uri in @($changes.redirect_uris_added)) { $lines += "add redirect URI $uri" }
        foreach ($setting in $changes.settings.PSObject.Properties) { $lines += "set $($setting.Name) to $($setting.Value)" }
        if ($lines.Count -eq 0) { $lines = @('nothing to change') }
        foreach ($line in $lines) { $null = $PSCmdlet.ShouldProcess("application of profile '$Name'", $line) }
        return
    }
    if (-not (Confirm-SamAction -Cmdlet $PSCmdlet -Target "profile '$Name'" -Action 'Create or update the SAM application, store its secret and write the profile')) { return }
    Invoke-SamBridgeCore -Command 'app.create' -Arguments $arguments -TargetObject $Name -Cmdlet $PSCmdlet |
        ConvertTo-SamObject -TypeName 'SamBridge.ApplicationResult'
}
