function Update-SamApplicationCredential {
    <#
    .SYNOPSIS
        Rotates the profile's client secret: adds a new one, stores it, proves it with one token request, then removes the old one.
    .DESCRIPTION
        An interrupted rotation never leaves the profile without a working secret: until the new
        secret is stored the old one stays stored and valid, and the old one is removed only after
        a token request with the new one succeeded. Rotations of one profile on this machine queue
        on the store's lock, so one never removes the secret another stored.

        When the old secret has already expired (AADSTS7000222) it cannot authorize its own
        rotation: -SignIn signs a partner admin in once instead.
    .PARAMETER Profile
        The sam-bridge profile (default: SAM_BRIDGE_PROFILE, else the configuration's default profile).
    .PARAMETER KeepOld
        Leave the old secret registered on the app.
    .PARAMETER SecretDays
        Lifetime of the new secret in days (1-730, default 180), capped by the tenant's policy.
    .PARAMETER SignIn
        Sign in as a partner admin (device code) instead of using the profile's own token.
    .EXAMPLE
        Update-SamApplicationCredential -Profile contoso

        A new secret, stored and proven; the old one removed.
    .EXAMPLE
        Get-SamApplicationCredential -Profile contoso | Where-Object { $_.Stored -and $_.State -ne 'ok' } |
            ForEach-Object { Update-SamApplicationCredential -Profile contoso -Confirm:$false }

        A scheduled job that rotates only when the stored secret is within 30 days of expiring.
    .OUTPUTS
        SamBridge.CredentialRotation: Profile, ApplicationId, New, Removed, Kept.
    .LINK
        Get-SamApplicationCredential
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('SamBridge.CredentialRotation')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $Profile,

        [switch] $KeepOld,

        [ValidateRange(1, 730)]
        [int] $SecretDays,

        [switch] $SignIn
    )
    process {
        $arguments = @{ keep_old = [bool]$KeepOld }
        # Without -SecretDays the core applies its own default (bridge/_core/constants.py), as the CLI does.
        if ($PSBoundParameters.ContainsKey('SecretDays')) { $arguments['secret_days'] = $SecretDays }
        if ($SignIn) { $arguments['sign_in'] = 'device-code' }
        $shown = 'the default profile'
        if ($Profile) {
            $arguments['profile'] = $Profile
            $shown = "profile '$Profile'"
        }
        if (-not (Confirm-SamAction -Cmdlet $PSCmdlet -Target $shown -Action 'Add a new client secret, store it, and remove the old one')) { return }
        Invoke-SamBridgeCore -Command 'app.rotate' -Arguments $arguments -TargetObject $Profile -Cmdlet $PSCmdlet |
            ConvertTo-SamObject -TypeName 'SamBridge.CredentialRotation'
    }
}
