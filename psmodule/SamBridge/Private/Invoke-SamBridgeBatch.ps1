function Invoke-SamBridgeBatch {
    <#
    .SYNOPSIS
        Runs one batch across tenants in the core and writes each tenant's outcome down the calling cmdlet's pipeline as it arrives.
    .DESCRIPTION
        The core's batch command (token.batch, connect.params.batch in bridge/rpc/batch.py) runs
        the exchanges concurrently on a bounded pool and streams one result event per tenant
        before its response. Each event is handled here while the others are still running: a
        result is converted (-Convert) and written with the cmdlet's WriteObject, so the next
        command in the pipeline gets it at once; a failed tenant becomes one non-terminating
        ErrorRecord whose target is the tenant as the caller spelled it. Write-Progress shows how
        many tenants are done and how many failed.

        Results arrive in the order the exchanges complete, not the order of the tenants.
    .PARAMETER Command
        The core's batch command.
    .PARAMETER Arguments
        Its arguments (tenants, all_customers, concurrency, and those of the single command).
    .PARAMETER Convert
        Turns one tenant's result (the single command's result) into the object to output.
    .PARAMETER Activity
        The progress activity, e.g. 'Connect-MgGraph parameters'.
    .PARAMETER Cmdlet
        The calling cmdlet's $PSCmdlet.
    #>
    [CmdletBinding()]
    [OutputType([object])]
    param(
        [Parameter(Mandatory = $true)][string] $Command,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary] $Arguments,
        [Parameter(Mandatory = $true)][scriptblock] $Convert,
        [Parameter(Mandatory = $true)][string] $Activity,
        [Parameter(Mandatory = $true)][System.Management.Automation.PSCmdlet] $Cmdlet
    )
    # A new ProgressRecord per update: a host (or a caller's Streams.Progress) may keep each one.
    $state = @{
        Convert  = $Convert
        Activity = $Activity
        Id       = Get-Random -Minimum 1000 -Maximum 100000
        Total    = 0
        Done     = 0
        Failed   = 0
    }
    $onEvent = {
        param($Item, [System.Management.Automation.PSCmdlet] $Cmdlet, [hashtable] $State)
        if ($Item.event -eq 'batch') {
            $State.Total = [int]$Item.total
            $record = [System.Management.Automation.ProgressRecord]::new($State.Id, $State.Activity, "0 of $($State.Total) tenants")
            $record.PercentComplete = 0
            $Cmdlet.WriteProgress($record)
            return
        }
        $State.Done = [int]$Item.done
        if ($Item.ok) {
            $Cmdlet.WriteObject((& $State.Convert $Item.result))
        } else {
            $State.Failed++
            $Cmdlet.WriteError((ConvertTo-SamErrorRecord -CoreError $Item.error -TargetObject ([string]$Item.input)))
        }
        $record = [System.Management.Automation.ProgressRecord]::new($State.Id, $State.Activity, "$($State.Done) of $($State.Total) tenants, $($State.Failed) failed")
        if ($State.Total -gt 0) { $record.PercentComplete = [int][Math]::Min(100, 100 * $State.Done / $State.Total) }
        $Cmdlet.WriteProgress($record)
    }
    try {
        $summary = Invoke-SamBridgeCore -Command $Command -Arguments $Arguments -Cmdlet $Cmdlet -OnEvent $onEvent -EventState $state
        if ($null -ne $summary) {
            Write-Verbose ("sam-bridge: batch of {0} tenants: {1} succeeded, {2} failed" -f $summary.total, $summary.succeeded, $summary.failed)
        }
    } finally {
        if (-not $Cmdlet.Stopping) {  # a stopped pipeline takes its progress bar with it
            $record = [System.Management.Automation.ProgressRecord]::new($state.Id, $state.Activity, "$($state.Done) of $($state.Total) tenants, $($state.Failed) failed")
            $record.RecordType = [System.Management.Automation.ProgressRecordType]::Completed
            $Cmdlet.WriteProgress($record)
        }
    }
}
