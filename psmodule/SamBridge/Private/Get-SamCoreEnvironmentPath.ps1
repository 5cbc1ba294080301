function Get-SamCoreEnvironmentPath {
    # The private virtual environment of Install-SamBridgeCore: SAM_BRIDGE_CORE_HOME, else
    # %LOCALAPPDATA%\sam-bridge\core on Windows, else $XDG_DATA_HOME (~/.local/share)/sam-bridge/core.
    [CmdletBinding()]
    [OutputType([string])]
    param()
    if ($env:SAM_BRIDGE_CORE_HOME) { return $env:SAM_BRIDGE_CORE_HOME }
    if ($env:LOCALAPPDATA) { return (Join-Path -Path $env:LOCALAPPDATA -ChildPath 'sam-bridge\core') }
    $data = $env:XDG_DATA_HOME
    if (-not $data) { $data = Join-Path -Path ([System.Environment]::GetFolderPath('UserProfile')) -ChildPath '.local/share' }
    Join-Path -Path $data -ChildPath 'sam-bridge/core'
}
