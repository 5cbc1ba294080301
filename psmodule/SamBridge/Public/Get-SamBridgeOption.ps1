function Get-SamBridgeOption {
    <#
    .SYNOPSIS
        Shows how this session reaches the sam-bridge core: the transport, the interpreter or command, and the configuration file.
    .DESCRIPTION
        Transport is the setting in effect (Set-SamBridgeOption -Transport, else
        SAM_BRIDGE_TRANSPORT, else Auto) and EffectiveTransport the one requests use (InProcess or
        ChildProcess; finding it starts the in-process engine when the setting allows it).
        InProcessError says why the in-process transport cannot run, when it cannot. CoreCommand
        is the command line that runs the core as a child process (it never holds a secret) and
        CoreSource where it was found: Set-SamBridgeOption -PythonPath, SAM_BRIDGE_PYTHON,
        SAM_BRIDGE_CLI, the install record of `sam-bridge psmodule install`, the Python
        installation the module came with, Install-SamBridgeCore, PATH, or a Python on PATH
        (Resolve-SamBridgeCommand). When no core is found, CoreCommand is empty and CoreError says why.
        PythonRuntimePath is the Python.Runtime.dll the in-process engine loaded (or would load).
    .EXAMPLE
        Get-SamBridgeOption
    .OUTPUTS
        SamBridge.Option: Transport, EffectiveTransport, InProcessError, PythonPath, PythonRuntimePath, ConfigPath, CoreCommand, CoreSource, CoreError.
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
    $setting = Get-SamBridgeTransportSetting
    $transport = Get-SamBridgeTransport
    $runtime = $script:SamBridgeOptions.PythonRuntimePath
    if ($transport.Engine) { $runtime = $transport.Engine.Runtime }
    $inProcessError = $transport.InProcessProblem
    if ($transport.Error) { $inProcessError = $transport.Error.Exception.Message }
    $option = [pscustomobject]@{
        Transport          = $setting
        EffectiveTransport = $transport.Name
        InProcessError     = $inProcessError
        PythonPath         = $script:SamBridgeOptions.PythonPath
        PythonRuntimePath  = $runtime
        ConfigPath         = $script:SamBridgeOptions.ConfigPath
        CoreCommand        = $command
        CoreSource         = $source
        CoreError          = $problem
    }
    $option.PSObject.TypeNames.Insert(0, 'SamBridge.Option')
    $option
}
