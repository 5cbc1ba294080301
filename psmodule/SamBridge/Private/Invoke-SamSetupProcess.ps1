function Invoke-SamSetupProcess {
    # Runs one set-up program (a Python probe, python -m venv, pip) to the end, with -InputText on
    # its stdin: returns ExitCode, Output (stdout) and Errors (stderr, for the error message).
    # Only paths and package names go on its command line.
    [CmdletBinding()]
    [OutputType([hashtable])]
    param([Parameter(Mandatory = $true)][string] $FilePath, [string[]] $Arguments, [string] $InputText, [int] $TimeoutSeconds = 900)
    $startInfo = New-Object -TypeName System.Diagnostics.ProcessStartInfo
    $startInfo.FileName = $FilePath
    $startInfo.Arguments = (@($Arguments | ForEach-Object { ConvertTo-SamProcessArgument -Value $_ }) -join ' ')
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
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        if ($InputText) { $process.StandardInput.Write($InputText) }
        $process.StandardInput.Close()
        if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
            $process.Kill()
            return @{ ExitCode = -1; Output = ''; Errors = "timed out after $TimeoutSeconds s" }
        }
        $null = $stdout.Wait(5000)
        $null = $stderr.Wait(5000)
        @{ ExitCode = $process.ExitCode; Output = $stdout.Result.Trim(); Errors = $stderr.Result.Trim() }
    } catch {
        @{ ExitCode = -1; Output = ''; Errors = $_.Exception.Message }
    } finally {
        $process.Dispose()
    }
}
