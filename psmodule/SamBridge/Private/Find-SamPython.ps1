function Find-SamPython {
    <#
    .SYNOPSIS
        The first Python 3.9+ on this machine: the py launcher (python.org's installs on Windows), then python3, then python.
    .DESCRIPTION
        Each candidate is asked for sys.executable (the py launcher resolves to the interpreter it
        would run, `py -3`); the Microsoft Store's python.exe stub, which prints an advert and
        exits 9009, counts as absent. With -WithCore only an interpreter whose sam-bridge imports
        counts. Returns the interpreter's full path or $null; remembered for the session while
        PATH is unchanged (each probe starts a process).
    .PARAMETER WithCore
        Only an interpreter that has sam-bridge installed.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([switch] $WithCore)
    $key = "$([bool]$WithCore)|$env:PATH"
    if ($script:SamBridgePythonProbe.ContainsKey($key)) { return $script:SamBridgePythonProbe[$key] }
    $script = 'import sys' + "`n" + 'try:' + "`n" + '    import bridge.rpc as v' + "`n" + 'except Exception:' + "`n" + '    v = None' + "`n" +
        "print(sys.executable if sys.version_info >= (3, 9) and (v is not None or not $([int][bool]$WithCore)) else '')"
    $found = $null
    foreach ($candidate in @(@{ Name = 'py'; Arguments = @('-3') }, @{ Name = 'python3'; Arguments = @() }, @{ Name = 'python'; Arguments = @() })) {
        $path = Resolve-SamExecutable -Name $candidate.Name
        if (-not $path) { continue }
        $probe = Invoke-SamSetupProcess -FilePath $path -Arguments (@($candidate.Arguments) + @('-')) -InputText $script -TimeoutSeconds 30
        if ($probe.ExitCode -eq 0 -and $probe.Output -and (Test-Path -LiteralPath $probe.Output -PathType Leaf)) {
            $found = $probe.Output
            Write-Verbose "sam-bridge: $($candidate.Name) runs $found"
            break
        }
        Write-Verbose "sam-bridge: $path does not count (exit code $($probe.ExitCode)) $($probe.Errors)"
    }
    $script:SamBridgePythonProbe[$key] = $found
    $found
}

# Probe answers by "WithCore|PATH" (Find-SamPython).
$script:SamBridgePythonProbe = @{}
