function Unregister-SamProfile {
    <#
    .SYNOPSIS
        Removes a sam-bridge profile and, unless told otherwise, its refresh token and secrets.
    .DESCRIPTION
        Deletes the profile from the configuration file and every entry it has in its secret
        store (refresh token, client secret or certificate, cached access tokens). Without the
        refresh token the next job needs a new consent, so this asks for confirmation unless
        -Force (or -Confirm:$false) is given.
    .PARAMETER Name
        The profile to remove. Takes the Name property of piped objects (Get-SamProfile output).
    .PARAMETER KeepSecrets
        Leave the store's entries in place (e.g. to re-create the profile under the same name).
    .PARAMETER Force
        Remove without asking for confirmation.
    .EXAMPLE
        Unregister-SamProfile -Name contoso-old -Force
    .EXAMPLE
        Get-SamProfile -Name test-* | Unregister-SamProfile -WhatIf

        Shows which profiles would be removed.
    .INPUTS
        Objects with a Name property (SamBridge.Profile).
    .OUTPUTS
        None.
    .LINK
        Register-SamProfile
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    [OutputType([void])]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('Profile')]
        [ValidateNotNullOrEmpty()]
        [string] $Name,

        [switch] $KeepSecrets,

        [switch] $Force
    )
    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) { $ConfirmPreference = 'None' }
        $what = 'Remove the profile and its refresh token and secrets'
        if ($KeepSecrets) { $what = 'Remove the profile (its store entries stay)' }
        if (-not (Confirm-SamAction -Cmdlet $PSCmdlet -Target "profile '$Name'" -Action $what)) { return }
        $null = Invoke-SamBridgeCore -Command 'profile.remove' -Arguments @{ profile = $Name; keep_secrets = [bool]$KeepSecrets } `
            -TargetObject $Name -Cmdlet $PSCmdlet
    }
}
