function Find-SamPythonRuntime {
    # Python.Runtime.dll: the option, the environment variable, the module's lib folder, the
    # interpreter's pythonnet package; $null when none exists.
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory = $true)][object] $Info)
    $moduleBase = $script:SamBridgeModuleRoot
    $candidates = @(
        $script:SamBridgeOptions.PythonRuntimePath
        $env:SAM_BRIDGE_PYTHONNET_DLL
        (Join-Path -Path $moduleBase -ChildPath 'lib/Python.Runtime.dll')
        $Info.pythonnet_dll
    )
    foreach ($candidate in $candidates) {
        if ($candidate -and (Test-Path -LiteralPath $candidate -PathType Leaf)) {
            return (Resolve-Path -LiteralPath $candidate).ProviderPath
        }
    }
    $null
}
