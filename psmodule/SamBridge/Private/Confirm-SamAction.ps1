function Confirm-SamAction {
    <#
    .SYNOPSIS
        The calling cmdlet's ShouldProcess, stopping that cmdlet when confirmation cannot be asked.
    .DESCRIPTION
        Where the host cannot prompt (pwsh -NonInteractive, a scheduled task) ShouldProcess throws
        when it would have to ask. Thrown inside an `if`, that is only a statement-terminating
        error: the cmdlet would report it and carry on with its next statement, changing state
        after the error. Here it becomes a terminating error of the calling cmdlet (ErrorId
        SamBridge.ConfirmationUnavailable, category OperationStopped, the target as TargetObject):
        nothing is changed, the pipeline stops, and pwsh exits non-zero.
    .PARAMETER Cmdlet
        The calling cmdlet's $PSCmdlet.
    .PARAMETER Target
        What the action changes, as ShouldProcess shows it.
    .PARAMETER Action
        What would be done.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory = $true)][System.Management.Automation.PSCmdlet] $Cmdlet,
        [Parameter(Mandatory = $true)][string] $Target,
        [Parameter(Mandatory = $true)][string] $Action
    )
    try {
        $confirmed = $Cmdlet.ShouldProcess($Target, $Action)
    } catch {
        $inner = $_.Exception
        while ($inner.InnerException) { $inner = $inner.InnerException }
        $record = New-SamErrorRecord -ErrorId 'SamBridge.ConfirmationUnavailable' -Category OperationStopped `
            -Message ("Nothing was changed: '{0}' on {1} needs confirmation, which cannot be asked here ({2})." -f $Action, $Target, $inner.Message) `
            -Remediation 'Run it where PowerShell can prompt, or confirm in advance with -Confirm:$false (or -Force where the cmdlet has it).' `
            -TargetObject $Target
        $Cmdlet.ThrowTerminatingError($record)
    }
    $confirmed
}
