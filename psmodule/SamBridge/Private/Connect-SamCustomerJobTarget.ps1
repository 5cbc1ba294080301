function Connect-SamCustomerJobTarget {
    <#
    .SYNOPSIS
        Connects the target of a customer job (Invoke-SamCustomerJob) with fresh parameters, and records when they expire.
    .DESCRIPTION
        The core is asked for the target's parameters with min_lifetime = the job's margin, so no
        cached token with less left is handed out; the Connect-* cmdlet is called module-qualified.
        Any failure is terminating here: the job reports it as that customer's error.
    .PARAMETER State
        The job's state for the current customer (Info, Arguments, AdditionalParameter, ExpiresOn, Connections).
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][object] $State)
    $result = Invoke-SamBridgeCore -Command 'connect.params' -Arguments $State.Arguments -TargetObject $State.Arguments['tenant'] -Cmdlet $PSCmdlet
    if ($null -eq $result) {
        throw "sam-bridge returned no parameters for $($State.Info.cmdlet) in tenant $($State.Arguments['tenant'])."
    }
    $splat = ConvertTo-SamConnectSplat -Result $result
    foreach ($key in @($State.AdditionalParameter.Keys)) { $splat[$key] = $State.AdditionalParameter[$key] }
    $null = & $State.Info.qualified_cmdlet @splat
    $State.ExpiresOn = ConvertTo-SamDateTimeOffset -Value $result.expires_on
    $State.Connections++
    Write-Verbose ("sam-bridge: connected {0} for tenant {1}; tokens valid until {2:u}" -f $State.Info.qualified_cmdlet, $result.tenant_id, $State.ExpiresOn)
}
