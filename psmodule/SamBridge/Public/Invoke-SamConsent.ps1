function Invoke-SamConsent {
    <#
    .SYNOPSIS
        Signs in once, with MFA, and stores the refresh token in the profile's secret store (the Secure Application Model's consent step).
    .DESCRIPTION
        Runs the interactive consent for a sam-bridge profile and stores the refresh token it
        yields in the profile's store, replacing any stored one; every later exchange
        (New-SamAccessToken, Get-SamConnectParameter, Connect-SamService) uses and rotates it.

        Three ways to sign in:
        -DeviceCode (the default for a public-client profile): shows a code and a URL; sign in on
        any device. For public-client profiles (no client secret or certificate); without a switch,
        a confidential-client profile signs in with -Browser, as on the command line.
        -Browser: opens the browser on this machine and receives the answer on a loopback port.
        -PrintUrl: shows the sign-in URL to open on any machine, then asks for the URL the browser
        was finally sent to (a localhost page that does not load): paste it at the prompt.

        Sign in with an account that completes multi-factor authentication: Partner Center and
        resources protected by Conditional Access refuse tokens whose consent lacked MFA
        (AADSTS50076), and the command warns when the sign-in had none.

        This replaces New-PartnerAccessToken -UseAuthorizationCode / -UseDeviceAuthentication: the
        refresh token goes straight to the store instead of into the console output.
    .PARAMETER DeviceCode
        Sign in with a device code (the default for a public client).
    .PARAMETER Browser
        Sign in with the browser of this machine (authorization code flow with PKCE on a loopback redirect).
    .PARAMETER PrintUrl
        Show the sign-in URL and read the redirected URL back (for machines without a browser).
    .PARAMETER Profile
        The sam-bridge profile to consent for (default: SAM_BRIDGE_PROFILE, else the configuration's
        default profile, else the only one). Takes the Profile property of piped objects, such as
        the output of Get-SamProfile.
    .PARAMETER TimeoutSeconds
        How long -Browser waits for the sign-in to come back (1-3600 seconds; default 300).
    .EXAMPLE
        Invoke-SamConsent -Profile contoso

        Shows a device code; after signing in (with MFA) on any device, the refresh token is
        stored and the result names the user, the tenant and whether MFA was used.
    .EXAMPLE
        Invoke-SamConsent -Profile contoso-secret -PrintUrl

        For a confidential client on a server: open the printed URL elsewhere, sign in, and paste
        the URL of the page the browser lands on.
    .EXAMPLE
        Get-SamProfile | Where-Object { -not $_.Default } | Invoke-SamConsent -Browser -WhatIf

        Shows which profiles would be consented, without signing in.
    .INPUTS
        Objects with a Profile property (SamBridge.Profile from Get-SamProfile).
    .OUTPUTS
        SamBridge.ConsentResult: Profile, User, TenantId, Scopes, Mfa, Method.
    .LINK
        Import-SamRefreshToken
    .LINK
        Get-SamRefreshTokenStatus
    #>
    [CmdletBinding(DefaultParameterSetName = 'DeviceCode', SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('SamBridge.ConsentResult')]
    param(
        [Parameter(ParameterSetName = 'DeviceCode')]
        [switch] $DeviceCode,

        [Parameter(Mandatory = $true, ParameterSetName = 'Browser')]
        [switch] $Browser,

        [Parameter(Mandatory = $true, ParameterSetName = 'PrintUrl')]
        [switch] $PrintUrl,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $Profile,

        [Parameter(ParameterSetName = 'Browser')]
        [ValidateRange(1, 3600)]
        [int] $TimeoutSeconds = 300
    )
    process {
        $methods = @{ DeviceCode = 'device-code'; Browser = 'browser'; PrintUrl = 'print-url' }
        $method = $methods[$PSCmdlet.ParameterSetName]
        $arguments = @{ method = $method; timeout = $TimeoutSeconds }
        if ($PSCmdlet.ParameterSetName -eq 'DeviceCode' -and -not $DeviceCode) {
            # No method chosen: the profile's default (a device code, or the browser for a confidential client).
            $arguments.Remove('method')
            $method = 'device code, or browser for a confidential client'
        }
        $shown = 'the default profile'
        if ($Profile) {
            $arguments['profile'] = $Profile
            $shown = "profile '$Profile'"
        }
        if (-not (Confirm-SamAction -Cmdlet $PSCmdlet -Target $shown -Action "Sign in ($method) and store a new refresh token")) { return }
        Invoke-SamBridgeCore -Command 'consent' -Arguments $arguments -TargetObject $Profile -Cmdlet $PSCmdlet |
            ConvertTo-SamObject -TypeName 'SamBridge.ConsentResult'
    }
}
