function Get-SamBridgeOption {
    <#
    .SYNOPSIS
        Shows how this session reaches the sam-bridge core: the transport, the interpreter or command, and the configuration file.
    .DESCRIPTION
        Transport is the option as set and EffectiveTransport the one requests use. CoreCommand is
        the command line that runs the core (it never holds a secret) and CoreSource where it was
        found: Set-SamBridgeOption -PythonPath, SAM_BRIDGE_PYTHON, SAM_BRIDGE_CLI or PATH. When no
        core is found, CoreCommand is empty and CoreError says why.
    .EXAMPLE
        Get-SamBridgeOption
    .OUTPUTS
        SamBridge.Option: Transport, EffectiveTransport, PythonPath, ConfigPath, CoreCommand, CoreSource, CoreError.
    .LINK
        Set-SamBridgeOption
    #>
    [CmdletBinding()]
    [OutputType('SamBridge.Option')]
    param()
    $command = $null
    $source = $null
    $problem = $null
    $core = Resolve-SamBridgeCommand
    if ($core -is [System.Management.Automation.ErrorRecord]) {
        $problem = $core.Exception.Message
    } else {
        $command = $core.Display
        $source = $core.Source
    }
    $option = [pscustomobject]@{
        Transport          = $script:SamBridgeOptions.Transport
        EffectiveTransport = Get-SamBridgeTransport
        PythonPath         = $script:SamBridgeOptions.PythonPath
        ConfigPath         = $script:SamBridgeOptions.ConfigPath
        CoreCommand        = $command
        CoreSource         = $source
        CoreError          = $problem
    }
    $option.PSObject.TypeNames.Insert(0, 'SamBridge.Option')
    $option
}
