function Resolve-SamBridgePython {
    <#
    .SYNOPSIS
        The Python interpreter whose core the in-process engine loads: the one the child process would run.
    .DESCRIPTION
        Set-SamBridgeOption -PythonPath and SAM_BRIDGE_PYTHON name it; SAM_BRIDGE_CLI 'PYTHON -m
        bridge' names it; an executable (SAM_BRIDGE_CLI, or sam-bridge on PATH) is a console script
        whose first line names it (#!/path/to/python), or, on Windows, a launcher beside its
        python.exe. Returns Path, or Problem when it cannot be told.
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param()
    $core = Resolve-SamBridgeCommand
    if ($core -is [System.Management.Automation.ErrorRecord]) { return @{ Path = $null; Problem = $core.Exception.Message } }
    $arguments = @($core.Arguments)
    if ($arguments.Count -ge 2 -and $arguments[0] -eq '-m' -and $arguments[1] -eq 'bridge') {
        return @{ Path = $core.FilePath; Problem = $null }
    }
    if ($arguments.Count -eq 0) {
        $beside = Join-Path -Path (Split-Path -Path $core.FilePath -Parent) -ChildPath 'python.exe'
        if ($core.FilePath -like '*.exe' -and (Test-Path -LiteralPath $beside -PathType Leaf)) { return @{ Path = $beside; Problem = $null } }
        $first = $null
        try {
            $reader = New-Object -TypeName System.IO.StreamReader -ArgumentList $core.FilePath
            try { $first = $reader.ReadLine() } finally { $reader.Dispose() }
        } catch {
            $first = $null
        }
        if ($first -and $first.StartsWith('#!')) {
            $words = @($first.Substring(2).Trim() -split '\s+')
            $candidate = $words[0]
            if ([System.IO.Path]::GetFileName($candidate) -eq 'env' -and $words.Count -ge 2) {
                $found = @(Get-Command -Name $words[1] -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1)
                $candidate = $null
                if ($found.Count -gt 0) { $candidate = $found[0].Path }
            }
            if ($candidate -and [System.IO.Path]::GetFileName($candidate) -like 'python*' -and (Test-Path -LiteralPath $candidate -PathType Leaf)) {
                return @{ Path = $candidate; Problem = $null }
            }
        }
    }
    @{ Path = $null; Problem = "cannot tell which Python interpreter runs '$($core.Display)'; set Set-SamBridgeOption -PythonPath or SAM_BRIDGE_PYTHON to use the in-process transport." }
}
