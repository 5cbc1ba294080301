function Get-SamApplicationCredential {
    <#
    .SYNOPSIS
        Lists every client secret and certificate of the profile's app, with its expiry and which one the profile stores.
    .DESCRIPTION
        Reads the app registration through Microsoft Graph. Each credential has a State: ok,
        warning (fewer than -WarningDays left) or expired; Stored marks the secret in the profile's
        store. Rotate it with Update-SamApplicationCredential before it expires (AADSTS7000222).
    .PARAMETER Profile
        The sam-bridge profile (default: SAM_BRIDGE_PROFILE, else the configuration's default profile).
    .PARAMETER WarningDays
        State is 'warning' when fewer days than this are left (default 30).
    .EXAMPLE
        Get-SamApplicationCredential -Profile contoso | Where-Object State -ne 'ok'
    .OUTPUTS
        SamBridge.ApplicationCredential: Type, KeyId, DisplayName, StartDateTime, EndDateTime, Stored, State, DaysLeft, Hint, Thumbprint.
    .LINK
        Update-SamApplicationCredential
    #>
    [CmdletBinding()]
    [OutputType('SamBridge.ApplicationCredential')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $Profile,

        [ValidateRange(0, 3650)]
        [double] $WarningDays
    )
    process {
        # Without -WarningDays the core applies its own default (bridge/_core/constants.py), as the CLI does.
        $arguments = @{}
        if ($PSBoundParameters.ContainsKey('WarningDays')) { $arguments['warn_days'] = $WarningDays }
        if ($Profile) { $arguments['profile'] = $Profile }
        Invoke-SamBridgeCore -Command 'app.credentials' -Arguments $arguments -TargetObject $Profile -Cmdlet $PSCmdlet |
            ForEach-Object { $_ } | ConvertTo-SamObject -TypeName 'SamBridge.ApplicationCredential'
    }
}
