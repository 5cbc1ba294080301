function Get-SamCoreEnvironmentPython {
    # The interpreter of a virtual environment (bin/python on Linux and macOS, Scripts\python.exe on Windows); $null if absent.
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory = $true)][string] $Path)
    foreach ($relative in @('Scripts/python.exe', 'bin/python3', 'bin/python')) {
        $candidate = Join-Path -Path $Path -ChildPath $relative
        if (Test-Path -LiteralPath $candidate -PathType Leaf) { return $candidate }
    }
    $null
}
