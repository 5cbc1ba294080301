function Set-SamBridgeOption {
    <#
    .SYNOPSIS
        Sets how this PowerShell session reaches the sam-bridge core: its Python interpreter, the configuration file, the transport (in-process or child process).
    .DESCRIPTION
        Options last for the session (put the call in your profile script to keep them). Without
        options set, the module runs `sam-bridge` from PATH, or `PYTHON -m bridge` when the
        environment variable SAM_BRIDGE_PYTHON names an interpreter, or the command in
        SAM_BRIDGE_CLI; the configuration file is SAM_BRIDGE_CONFIG or the platform default; the
        transport is SAM_BRIDGE_TRANSPORT, else Auto.
    .PARAMETER PythonPath
        The Python interpreter that has sam-bridge installed; it runs `PYTHON -m bridge`. Takes
        precedence over SAM_BRIDGE_PYTHON. An empty string clears it.
    .PARAMETER ConfigPath
        The sam-bridge configuration file every request uses, instead of SAM_BRIDGE_CONFIG or the
        platform default. An empty string clears it.
    .PARAMETER Transport
        How requests reach the core. InProcess: the core runs inside this PowerShell process
        (pythonnet's Python.Runtime.dll hosting the interpreter's shared library), without a
        process start per request. ChildProcess: a `sam-bridge rpc` process per request, the
        secrets on its stdin. Auto (the default): in-process when it can run, else the child
        process (-Verbose says why); the first two requests of a process go to the child process
        (cheaper than starting the engine, for a runbook that asks for one token), and an
        interactive consent runs as a child process, so Ctrl+C stops it at once. A PowerShell process hosts one Python: the interpreter of its first
        in-process request.
    .PARAMETER PythonRuntimePath
        Python.Runtime.dll of pythonnet 3.x for the in-process transport, instead of
        SAM_BRIDGE_PYTHONNET_DLL, lib/Python.Runtime.dll in the module's folder, or the copy in the
        interpreter's pythonnet package. An empty string clears it.
    .PARAMETER PassThru
        Return the options after the change (as Get-SamBridgeOption does).
    .EXAMPLE
        Set-SamBridgeOption -PythonPath ~/.venvs/sam-bridge/bin/python
    .EXAMPLE
        Set-SamBridgeOption -ConfigPath C:\jobs\sam-bridge.toml -PassThru
    .EXAMPLE
        Set-SamBridgeOption -Transport InProcess -PythonRuntimePath ~/.nuget/packages/pythonnet/3.2.1/lib/netstandard2.0/Python.Runtime.dll

        Requests run inside this session from now on; an error says why if they cannot.
    .OUTPUTS
        None, or SamBridge.Option with -PassThru.
    .LINK
        Get-SamBridgeOption
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Low', PositionalBinding = $false)]
    [OutputType('SamBridge.Option')]
    param(
        [AllowEmptyString()]
        [string] $PythonPath,

        [AllowEmptyString()]
        [string] $ConfigPath,

        # The only positional parameter: `Set-SamBridgeOption InProcess` means the transport.
        [Parameter(Position = 0)]
        [ValidateSet('Auto', 'InProcess', 'ChildProcess')]
        [string] $Transport,

        [AllowEmptyString()]
        [string] $PythonRuntimePath,

        [switch] $PassThru
    )
    $changes = @{}
    if ($PSBoundParameters.ContainsKey('PythonPath')) {
        $value = $null
        if ($PythonPath) {
            $value = $PSCmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($PythonPath)
            if (-not (Test-Path -LiteralPath $value -PathType Leaf)) {
                $found = Get-Command -Name $PythonPath -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
                if (-not $found) {
                    $PSCmdlet.ThrowTerminatingError((New-SamErrorRecord -ErrorId 'SamBridge.InvalidInput' -Category InvalidArgument `
                                -Message "'$PythonPath' is not a file or a command on PATH." `
                                -Remediation 'Give the path of the Python interpreter that has sam-bridge installed.' -TargetObject $PythonPath))
                }
                $value = $found.Path
            }
        }
        $changes['PythonPath'] = $value
    }
    if ($PSBoundParameters.ContainsKey('ConfigPath')) {
        $value = $null
        if ($ConfigPath) { $value = $PSCmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($ConfigPath) }
        $changes['ConfigPath'] = $value
    }
    if ($PSBoundParameters.ContainsKey('PythonRuntimePath')) {
        $value = $null
        if ($PythonRuntimePath) {
            $value = $PSCmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($PythonRuntimePath)
            if (-not (Test-Path -LiteralPath $value -PathType Leaf)) {
                $PSCmdlet.ThrowTerminatingError((New-SamErrorRecord -ErrorId 'SamBridge.InvalidInput' -Category InvalidArgument `
                            -Message "'$PythonRuntimePath' is not a file." `
                            -Remediation 'Give the path of Python.Runtime.dll from the pythonnet 3.x package (NuGet or PyPI).' -TargetObject $PythonRuntimePath))
            }
        }
        $changes['PythonRuntimePath'] = $value
    }
    if ($Transport) { $changes['Transport'] = $Transport }
    if ($changes.Count -gt 0) {
        $shown = @($changes.Keys | Sort-Object | ForEach-Object { "$_ = '$($changes[$_])'" }) -join ', '
        if ((Confirm-SamAction -Cmdlet $PSCmdlet -Target 'SamBridge options of this session' -Action "Set $shown")) {
            foreach ($key in $changes.Keys) { $script:SamBridgeOptions[$key] = $changes[$key] }
            # Another core may know other targets.
            if ($changes.ContainsKey('PythonPath')) { $script:SamBridgeTargets = $null }
        }
    }
    if ($PassThru) { Get-SamBridgeOption }
}
