function Import-SamRefreshToken {
    <#
    .SYNOPSIS
        Stores a refresh token obtained elsewhere (New-PartnerAccessToken, a Key Vault secret) in a profile's secret store.
    .DESCRIPTION
        Replaces the profile's stored refresh token with the given one and clears its cached
        access tokens. The token travels as a SecureString and reaches the sam-bridge core only
        inside its request on stdin, never on a command line. Its 90-day inactivity clock
        (Get-SamRefreshTokenStatus) counts from the import.

        The token is redeemed once at the profile's authority before it replaces anything, so a
        token of another application, a revoked one or a mistyped value never replaces a working
        one (use -SkipVerification when the authority cannot be reached). The replaced token is
        kept as the profile's previous one: `sam-bridge refresh-token import --restore` puts it back.
    .PARAMETER RefreshToken
        The refresh token, as a SecureString: from Read-Host -AsSecureString, Get-Secret
        (SecretManagement), or a Key Vault secret's SecretValue. Accepts pipeline input.
    .PARAMETER SkipVerification
        Store the token without redeeming it first (for a machine that cannot reach the authority).
    .PARAMETER Profile
        The sam-bridge profile to store it for (default: SAM_BRIDGE_PROFILE, else the
        configuration's default profile, else the only one).
    .EXAMPLE
        Read-Host -AsSecureString -Prompt 'Refresh token' | Import-SamRefreshToken -Profile contoso
    .EXAMPLE
        Get-Secret -Name PartnerCenterRefreshToken | Import-SamRefreshToken -Profile contoso

        Moves a token kept with SecretManagement into the profile's store.
    .INPUTS
        System.Security.SecureString
    .OUTPUTS
        SamBridge.RefreshTokenImport: Profile, Store, ImportedAt.
    .LINK
        Invoke-SamConsent
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('SamBridge.RefreshTokenImport')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipeline = $true)]
        [ValidateNotNull()]
        [System.Security.SecureString] $RefreshToken,

        [switch] $SkipVerification,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $Profile
    )
    process {
        $arguments = @{ verify = (-not $SkipVerification) }
        $shown = 'the default profile'
        if ($Profile) {
            $arguments['profile'] = $Profile
            $shown = "profile '$Profile'"
        }
        if (-not (Confirm-SamAction -Cmdlet $PSCmdlet -Target $shown -Action 'Replace the stored refresh token')) { return }
        Invoke-SamBridgeCore -Command 'refresh_token.import' -Arguments $arguments `
            -Secrets @{ refresh_token = $RefreshToken } -TargetObject $Profile -Cmdlet $PSCmdlet |
            ConvertTo-SamObject -TypeName 'SamBridge.RefreshTokenImport'
    }
}
