function Resolve-SamBridgeCommand {
    <#
    .SYNOPSIS
        Which program runs the sam-bridge core, and with which leading arguments.
    .DESCRIPTION
        In this order: the interpreter of Set-SamBridgeOption -PythonPath, then the environment
        variable SAM_BRIDGE_PYTHON (both run `PYTHON -m bridge`), then SAM_BRIDGE_CLI (the command
        the generated snippets run: an executable's path, or a command line such as
        'python -m bridge'), then `sam-bridge` on PATH. Returns FilePath, Arguments (without the
        trailing 'rpc'), Source and Display; or, when none is found, the SamBridge.CoreNotFound
        ErrorRecord (returned, not thrown: errors reach the user only through the calling cmdlet).
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject], [System.Management.Automation.ErrorRecord])]
    param()
    $python = $script:SamBridgeOptions.PythonPath
    $source = 'Set-SamBridgeOption -PythonPath'
    if (-not $python -and $env:SAM_BRIDGE_PYTHON) {
        $python = $env:SAM_BRIDGE_PYTHON
        $source = 'SAM_BRIDGE_PYTHON'
    }
    if ($python) {
        $path = Resolve-SamExecutable -Name $python
        if (-not $path) {
            return (New-SamErrorRecord -ErrorId 'SamBridge.CoreNotFound' -Category ObjectNotFound -Terminating `
                    -Message "$source names '$python', which is not an executable file or a command on PATH." `
                    -Remediation 'Point it at the Python interpreter that has sam-bridge installed, e.g. the python of its virtual environment.' `
                    -TargetObject $python)
        }
        return New-SamCoreCommand -FilePath $path -Arguments @('-m', 'bridge') -Source $source
    }
    if ($env:SAM_BRIDGE_CLI) {
        $text = $env:SAM_BRIDGE_CLI.Trim()
        $words = @(Split-SamCommandLine -Text $text)
        $path = Resolve-SamExecutable -Name $words[0]
        if (-not $path) {
            return (New-SamErrorRecord -ErrorId 'SamBridge.CoreNotFound' -Category ObjectNotFound -Terminating `
                    -Message "SAM_BRIDGE_CLI is '$text', and '$($words[0])' is not an executable file or a command on PATH." `
                    -Remediation 'Set SAM_BRIDGE_CLI to the sam-bridge executable or to a command line such as ''python -m bridge'', or set SAM_BRIDGE_PYTHON instead.' `
                    -TargetObject $text)
        }
        return New-SamCoreCommand -FilePath $path -Arguments @($words | Select-Object -Skip 1) -Source 'SAM_BRIDGE_CLI'
    }
    $path = Resolve-SamExecutable -Name 'sam-bridge'
    if ($path) { return New-SamCoreCommand -FilePath $path -Arguments @() -Source 'PATH' }
    New-SamErrorRecord -ErrorId 'SamBridge.CoreNotFound' -Category ObjectNotFound -Terminating `
            -Message 'The sam-bridge core was not found: there is no sam-bridge command on PATH, and neither SAM_BRIDGE_PYTHON nor Set-SamBridgeOption -PythonPath names a Python interpreter.' `
            -Remediation 'Install it (pip install sam-bridge) so that sam-bridge is on PATH, or set SAM_BRIDGE_PYTHON to the Python interpreter that has it.' `
            -TargetObject 'sam-bridge'
}
