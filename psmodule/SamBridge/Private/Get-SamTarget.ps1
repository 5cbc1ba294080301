function Get-SamTarget {
    <#
    .SYNOPSIS
        A Connect-* target of the core's registry (its cmdlet, module, options, shapes), asked once per session.
    .PARAMETER Name
        The target name (any case); all targets without it.
    .PARAMETER Cmdlet
        The calling cmdlet's $PSCmdlet, to report a core that cannot be reached.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([string] $Name, [System.Management.Automation.PSCmdlet] $Cmdlet)
    if ($null -eq $script:SamBridgeTargets) {
        if (-not $Cmdlet) { $Cmdlet = $PSCmdlet }
        $targets = @(Invoke-SamBridgeCore -Command 'targets' -Cmdlet $Cmdlet)
        if ($targets.Count -eq 0) { return $null }
        $script:SamBridgeTargets = $targets
    }
    if (-not $Name) { return $script:SamBridgeTargets }
    foreach ($target in $script:SamBridgeTargets) {
        if ($target.name -eq $Name) { return $target }
    }
    $null
}
