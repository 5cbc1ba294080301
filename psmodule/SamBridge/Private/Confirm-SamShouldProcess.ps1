function Confirm-SamShouldProcess {
    <#
    .SYNOPSIS
        $Cmdlet.ShouldProcess, except that a confirmation that cannot be asked stops the cmdlet.
    .DESCRIPTION
        In a -NonInteractive session ShouldProcess throws when it would prompt (-Confirm, or
        ConfirmImpact above $ConfirmPreference). That error ends only the statement it is in, so a
        cmdlet that tests `if (-not $PSCmdlet.ShouldProcess(...)) { return }` carries on to its next
        line and changes what nobody confirmed. Here it becomes a terminating error instead.
    .PARAMETER Cmdlet
        The calling cmdlet's $PSCmdlet.
    .PARAMETER Target
        What would be changed.
    .PARAMETER Action
        What would be done to it.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory = $true)][System.Management.Automation.PSCmdlet] $Cmdlet,
        [Parameter(Mandatory = $true)][string] $Target,
        [Parameter(Mandatory = $true)][string] $Action
    )
    try {
        return $Cmdlet.ShouldProcess($Target, $Action)
    } catch {
        $Cmdlet.ThrowTerminatingError((New-SamErrorRecord -ErrorId 'SamBridge.ConfirmationUnavailable' -Category OperationStopped `
                    -Message "Confirmation to '$Action' on $Target could not be asked (this session is non-interactive); nothing was changed." `
                    -Remediation 'Run it interactively, or pass -Confirm:$false to proceed without asking.' -TargetObject $Target))
    }
}
