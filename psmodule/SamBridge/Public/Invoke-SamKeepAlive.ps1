function Invoke-SamKeepAlive {
    <#
    .SYNOPSIS
        Redeems a profile's refresh token once so its 90-day inactivity clock restarts (sam-bridge keepalive).
    .DESCRIPTION
        Exchanges the stored refresh token with Entra (bypassing the access-token cache) and
        stores the rotated token Entra returns, so it expires from inactivity 90 days from now.
        Schedule it (weekly) for a profile that no job uses often. Returns the refresh token's
        status afterwards. Entra's refusal (a revoked user, an expired token) is an error with
        its AADSTS code and remediation, and is recorded, so Get-SamRefreshTokenStatus then says
        'refused'.
    .PARAMETER Profile
        The sam-bridge profile (default: SAM_BRIDGE_PROFILE, else the configuration's default
        profile, else the only one). Takes the Profile property of piped objects, so
        `Get-SamProfile | Invoke-SamKeepAlive` keeps every profile alive.
    .EXAMPLE
        Invoke-SamKeepAlive -Profile contoso
    .EXAMPLE
        Get-SamProfile | Invoke-SamKeepAlive -Confirm:$false

        In a scheduled task, for every profile.
    .INPUTS
        Objects with a Profile property (SamBridge.Profile from Get-SamProfile).
    .OUTPUTS
        SamBridge.RefreshTokenStatus
    .LINK
        Get-SamRefreshTokenStatus
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Low')]
    [OutputType('SamBridge.RefreshTokenStatus')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $Profile
    )
    process {
        $shown = 'the default profile'
        if ($Profile) { $shown = "profile '$Profile'" }
        if (-not (Confirm-SamAction -Cmdlet $PSCmdlet -Target $shown -Action 'Redeem the refresh token once and store the rotated one')) { return }
        $arguments = @{}
        if ($Profile) { $arguments['profile'] = $Profile }
        Invoke-SamBridgeCore -Command 'keepalive' -Arguments $arguments -TargetObject $Profile -Cmdlet $PSCmdlet |
            ConvertTo-SamObject -TypeName 'SamBridge.RefreshTokenStatus'
    }
}
