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
    $script = 'import sys' + "`n" + 'try:' + "`n" + '    import bridge._version as v' + "`n" + 'except Exception:' + "`n" + '    v = None' + "`n" +
        "print(sys.executable if sys.version_info >= (3, 9) and (v is not None or not $([int][bool]$WithCore)) else '')"
    $found = $null
    foreach ($candidate in @(@{ Name = 'py'; Arguments = @('-3') }, @{ Name = 'python3'; Arguments = @() }, @{ Name = 'python'; Arguments = @() })) {
        $path = Resolve-SamExecutable -Name $candidate.Name
        if (-not $path) { continue }
        $startInfo = New-Object -TypeName System.Diagnostics.ProcessStartInfo
        $startInfo.FileName = $path
        $startInfo.Arguments = ((@($candidate.Arguments) + @('-')) -join ' ')
        $startInfo.UseShellExecute = $false
        $startInfo.CreateNoWindow = $true
        $startInfo.RedirectStandardInput = $true
        $startInfo.RedirectStandardOutput = $true
        $startInfo.RedirectStandardError = $true
        # Windows PowerShell 5.1 would decode with the OEM code page: a path such as C:\Users\José\... must survive.
        $startInfo.StandardOutputEncoding = New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false
        $startInfo.StandardErrorEncoding = $startInfo.StandardOutputEncoding
        $startInfo.EnvironmentVariables['PYTHONIOENCODING'] = 'utf-8'
        $process = New-Object -TypeName System.Diagnostics.Process
        $process.StartInfo = $startInfo
        try {
            $null = $process.Start()
            $stderrTask = $process.StandardError.ReadToEndAsync()
            $process.StandardInput.Write($script)
            $process.StandardInput.Close()
            $output = $process.StandardOutput.ReadToEnd().Trim()
            if (-not $process.WaitForExit(30000)) { $process.Kill() }
            $null = $stderrTask.Wait(5000)
            if ($process.ExitCode -eq 0 -and $output -and (Test-Path -LiteralPath $output -PathType Leaf)) {
                $found = $output
                Write-Verbose "sam-bridge: $($candidate.Name) runs $output"
                break
            }
        } catch {
            Write-Verbose "sam-bridge: $path could not be run: $($_.Exception.Message)"
        } finally {
            $process.Dispose()
        }
    }
    $script:SamBridgePythonProbe[$key] = $found
    $found
}

# Probe answers by "WithCore|PATH" (Find-SamPython).
$script:SamBridgePythonProbe = @{}
