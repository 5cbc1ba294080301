function Write-SamError {
    <#
    .SYNOPSIS
        Reports an error caught in a cmdlet: set-up errors stop it, errors about one input do not.
    .DESCRIPTION
        Errors marked terminating (the core cannot be reached or answered outside its contract)
        are thrown with ThrowTerminatingError: nothing else can work either. Every other error
        (the core's answer about this input: an expired refresh token, a tenant without GDAP...)
        is written with WriteError, so a pipeline of tenants goes on with the next one, and
        -ErrorAction decides as usual.
    .PARAMETER Cmdlet
        The calling cmdlet's $PSCmdlet.
    .PARAMETER ErrorRecord
        The caught error ($_).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][System.Management.Automation.PSCmdlet] $Cmdlet,
        [Parameter(Mandatory = $true)][System.Management.Automation.ErrorRecord] $ErrorRecord
    )
    $exception = $ErrorRecord.Exception
    if ($exception -and $exception.Data.Contains('SamBridge.Terminating')) {
        $Cmdlet.ThrowTerminatingError($ErrorRecord)
    }
    $Cmdlet.WriteError($ErrorRecord)
}
