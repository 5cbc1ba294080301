function Set-SamBridgeOption {
    <#
    .SYNOPSIS
        Sets how this PowerShell session reaches the sam-bridge core: its Python interpreter, the configuration file, the transport.
    .DESCRIPTION
        Options last for the session (put the call in your profile script to keep them). Without
        options set, the module runs `sam-bridge` from PATH, or `PYTHON -m bridge` when the
        environment variable SAM_BRIDGE_PYTHON names an interpreter, or the command in
        SAM_BRIDGE_CLI; the configuration file is SAM_BRIDGE_CONFIG or the platform default.
    .PARAMETER PythonPath
        The Python interpreter that has sam-bridge installed; it runs `PYTHON -m bridge`. Takes
        precedence over SAM_BRIDGE_PYTHON. An empty string clears it.
    .PARAMETER ConfigPath
        The sam-bridge configuration file every request uses, instead of SAM_BRIDGE_CONFIG or the
        platform default. An empty string clears it.
    .PARAMETER Transport
        How requests reach the core: ChildProcess (a `sam-bridge rpc` process per request, the
        secrets on its stdin) or Auto (the best available: today the child process).
    .PARAMETER PassThru
        Return the options after the change (as Get-SamBridgeOption does).
    .EXAMPLE
        Set-SamBridgeOption -PythonPath ~/.venvs/sam-bridge/bin/python
    .EXAMPLE
        Set-SamBridgeOption -ConfigPath C:\jobs\sam-bridge.toml -PassThru
    .OUTPUTS
        None, or SamBridge.Option with -PassThru.
    .LINK
        Get-SamBridgeOption
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Low')]
    [OutputType('SamBridge.Option')]
    param(
        [AllowEmptyString()]
        [string] $PythonPath,

        [AllowEmptyString()]
        [string] $ConfigPath,

        [ValidateSet('Auto', 'ChildProcess')]
        [string] $Transport,

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
    if ($Transport) { $changes['Transport'] = $Transport }
    if ($changes.Count -gt 0) {
        $shown = @($changes.Keys | Sort-Object | ForEach-Object { "$_ = '$($changes[$_])'" }) -join ', '
        if ($PSCmdlet.ShouldProcess('SamBridge options of this session', "Set $shown")) {
            foreach ($key in $changes.Keys) { $script:SamBridgeOptions[$key] = $changes[$key] }
            # Another core may know other targets.
            if ($changes.ContainsKey('PythonPath')) { $script:SamBridgeTargets = $null }
        }
    }
    if ($PassThru) { Get-SamBridgeOption }
}
