function Get-SamPythonInfo {
    <#
    .SYNOPSIS
        What the in-process engine needs to know about an interpreter, asked of it once per process.
    .DESCRIPTION
        Runs the interpreter once (the script on stdin, nothing secret) and keeps its answer in
        AppDomain data for the life of the process. Returns the parsed answer, or a string saying
        why the interpreter could not be asked.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject], [string])]
    param([Parameter(Mandatory = $true)][string] $Python)
    $slot = "SamBridge.PythonInfo:$Python"
    $cached = [System.AppDomain]::CurrentDomain.GetData($slot)
    if ($cached) { return $cached }
    $startInfo = New-Object -TypeName System.Diagnostics.ProcessStartInfo
    $startInfo.FileName = $Python
    $startInfo.Arguments = '-'
    $startInfo.UseShellExecute = $false
    $startInfo.CreateNoWindow = $true
    $startInfo.RedirectStandardInput = $true
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    # UTF-8, not 5.1's OEM code page (the answer is ASCII JSON today; a path must survive either way).
    $startInfo.StandardOutputEncoding = New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false
    $startInfo.EnvironmentVariables['PYTHONIOENCODING'] = 'utf-8'
    $process = New-Object -TypeName System.Diagnostics.Process
    $process.StartInfo = $startInfo
    try {
        $null = $process.Start()
    } catch {
        $process.Dispose()
        return "$Python could not be run: $($_.Exception.Message)"
    }
    try {
        $stderrTask = $process.StandardError.ReadToEndAsync()
        $process.StandardInput.Write((Get-SamPythonHelper -Name 'describe_interpreter.py'))
        $process.StandardInput.Close()
        $output = $process.StandardOutput.ReadToEnd()
        if (-not $process.WaitForExit(60000)) { $process.Kill() }
        $null = $stderrTask.Wait(5000)
        $info = $null
        try {
            $info = ConvertFrom-Json -InputObject $output.Trim()
        } catch {
            $info = $null
        }
        if ($null -eq $info) {
            return "$Python did not describe itself (exit code $($process.ExitCode)): $($stderrTask.Result.Trim())"
        }
        [System.AppDomain]::CurrentDomain.SetData($slot, $info)
        $info
    } finally {
        if (-not $process.HasExited) { $process.Kill() }
        $process.Dispose()
    }
}
