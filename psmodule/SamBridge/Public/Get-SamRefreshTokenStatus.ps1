function Get-SamRefreshTokenStatus {
    <#
    .SYNOPSIS
        Shows where a profile's refresh token stands against Entra's 90-day inactivity limit.
    .DESCRIPTION
        Reads the stored refresh token's record (nothing is sent to Entra): who consented and
        when, whether the sign-in had MFA, when the token was issued and last redeemed, when it
        expires if left unused, Entra's last refusal, and its State: ok, warning (fewer than
        -WarningDays left), expired, refused (Entra refused the last exchange: RefusalCode,
        RefusedAt, RefusalTenant, RefusalMessage and RefusalRemediation say what and how to fix it)
        or missing. Every exchange rotates the token and restarts its 90 days, so a job that runs
        at least monthly never lets it expire; every refusal is recorded, so a status read after a
        failed job says refused. To ask Entra now, use Test-SamProfile.
    .PARAMETER Profile
        The sam-bridge profile (default: SAM_BRIDGE_PROFILE, else the configuration's default
        profile, else the only one). Takes the Profile property of piped objects, so
        `Get-SamProfile | Get-SamRefreshTokenStatus` shows every profile.
    .PARAMETER WarningDays
        State is 'warning' when fewer days than this are left (0-90; default 14).
    .EXAMPLE
        Get-SamRefreshTokenStatus -Profile contoso
    .EXAMPLE
        Get-SamProfile | Get-SamRefreshTokenStatus | Where-Object State -ne 'ok'

        Every profile whose token needs attention.
    .INPUTS
        Objects with a Profile property (SamBridge.Profile from Get-SamProfile).
    .OUTPUTS
        SamBridge.RefreshTokenStatus: Profile, Store, Present, State, User, ConsentedAt, IssuedAt,
        LastRedeemedAt, ExpiresAt, DaysLeft, Mfa, Scopes, Source, RefusedAt, RefusalCode,
        RefusalTenant, RefusalMessage, RefusalRemediation.
    .LINK
        Invoke-SamConsent
    #>
    [CmdletBinding()]
    [OutputType('SamBridge.RefreshTokenStatus')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $Profile,

        [ValidateRange(0, 90)]
        [double] $WarningDays
    )
    process {
        # Without -WarningDays the core applies its own default (bridge/_core/constants.py), the
        # one the CLI's --warn-days shows: it is written in one place.
        $arguments = @{}
        if ($PSBoundParameters.ContainsKey('WarningDays')) { $arguments['warn_days'] = $WarningDays }
        if ($Profile) { $arguments['profile'] = $Profile }
        Invoke-SamBridgeCore -Command 'status' -Arguments $arguments -TargetObject $Profile -Cmdlet $PSCmdlet |
            ConvertTo-SamObject -TypeName 'SamBridge.RefreshTokenStatus'
    }
}
