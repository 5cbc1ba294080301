function Get-SamBridgeTransport {
    <#
    .SYNOPSIS
        The transport requests go over: the one place that reads the module's Transport option.
    .DESCRIPTION
        'ChildProcess' runs the core as a child process per request (bridge's `rpc` command).
        'Auto' picks the best transport available; today that is the child process (an in-process
        transport can be added here without any cmdlet changing).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $wanted = $script:SamBridgeOptions.Transport
    if ($wanted -eq 'Auto') { return 'ChildProcess' }
    $wanted
}
