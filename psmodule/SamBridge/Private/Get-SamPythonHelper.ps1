function Get-SamPythonHelper {
    # The text of one of the module's Python helpers (python/NAME), read when it is needed.
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory = $true)][string] $Name)
    $path = Join-Path -Path ($script:SamBridgeModuleRoot) -ChildPath "python/$Name"
    [System.IO.File]::ReadAllText($path, [System.Text.Encoding]::UTF8)
}
