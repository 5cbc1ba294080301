function Invoke-SamBridgeChildProcess {
    <#
    .SYNOPSIS
        The child-process transport: one request to `sam-bridge rpc` (or `python -m bridge rpc`), one response back.
    .DESCRIPTION
        Starts the core found by Resolve-SamBridgeCommand. Its command line holds no secret: the
        request, secrets included, is the first line written to its stdin. It reads stdout line by
        line and hands each line to Receive-SamBridgeLine, as the in-process transport does:
        interaction events (a device code or sign-in URL to show, a redirected URL to ask for) and
        batch results are handled as they come, and the line with "ok" is the response, returned
        parsed. stderr is the core's log: lines 'warning: ...' become warnings, the rest verbose
        output. The wait polls, so Ctrl+C stops it; the child is killed if it is still running when
        this function ends for any reason (including a downstream Select-Object -First that has
        what it wants from a batch).

        A failure of the transport itself (no core, a core that ends without a response) is
        returned as a terminating ErrorRecord, not thrown: errors reach the user only through
        the calling cmdlet, so its -ErrorVariable holds exactly what it reported.
    .PARAMETER RequestJson
        The request (one JSON document on one line).
    .PARAMETER Cmdlet
        The calling cmdlet's $PSCmdlet: the core's logged warnings become its warnings.
    .PARAMETER OnEvent
        The calling cmdlet's handler of batch events (see Receive-SamBridgeLine).
    .PARAMETER EventState
        What -OnEvent keeps between events.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject], [System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory = $true)]
        [string] $RequestJson,

        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [scriptblock] $OnEvent,

        [object] $EventState
    )
    $core = Resolve-SamBridgeCommand
    if ($core -is [System.Management.Automation.ErrorRecord]) { return $core }
    $arguments = @($core.Arguments)
    if ($VerbosePreference -ne 'SilentlyContinue') { $arguments += '--verbose' }
    $arguments += 'rpc'

    $utf8 = New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false
    $startInfo = New-Object -TypeName System.Diagnostics.ProcessStartInfo
    $startInfo.FileName = $core.FilePath
    $startInfo.Arguments = (@($arguments | ForEach-Object { ConvertTo-SamProcessArgument -Value $_ }) -join ' ')
    $startInfo.UseShellExecute = $false
    $startInfo.CreateNoWindow = $true
    $startInfo.RedirectStandardInput = $true
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $startInfo.StandardOutputEncoding = $utf8
    $startInfo.StandardErrorEncoding = $utf8
    $location = Get-Location -PSProvider FileSystem
    if ($location) { $startInfo.WorkingDirectory = $location.ProviderPath }
    $startInfo.EnvironmentVariables['PYTHONIOENCODING'] = 'utf-8'
    $startInfo.EnvironmentVariables['PYTHONUTF8'] = '1'

    $process = New-Object -TypeName System.Diagnostics.Process
    $process.StartInfo = $startInfo
    $started = $false
    $problem = $null
    try {
        $started = $process.Start()
    } catch {
        $problem = $_.Exception.Message
    }
    if (-not $started) {
        $process.Dispose()
        return (New-SamErrorRecord -ErrorId 'SamBridge.CoreNotFound' -Category ObjectNotFound -Terminating `
                -Message "The sam-bridge core could not be started ($($core.Display)): $problem" `
                -Remediation 'Check the path of the Python interpreter (SAM_BRIDGE_PYTHON or Set-SamBridgeOption -PythonPath) or of the sam-bridge command.' `
                -TargetObject $core.Display)
    }
    try {
        $stderrTask = $process.StandardError.ReadToEndAsync()
        $stdin = $process.StandardInput.BaseStream
        $bytes = $utf8.GetBytes($RequestJson + "`n")
        $stdin.Write($bytes, 0, $bytes.Length)
        $stdin.Flush()
        $bytes = $null

        $session = @{ LastMessage = $null; Response = $null; Stdin = $stdin; Encoding = $utf8 }
        $reply = {
            param([string] $Text, [hashtable] $Session)
            $answerBytes = $Session.Encoding.GetBytes($Text + "`n")
            $Session.Stdin.Write($answerBytes, 0, $answerBytes.Length)
            $Session.Stdin.Flush()
        }
        while ($true) {
            $lineTask = $process.StandardOutput.ReadLineAsync()
            while (-not $lineTask.Wait(200)) { }
            $line = $lineTask.Result
            if ($null -eq $line) { break }
            if (Receive-SamBridgeLine -Line $line -Session $session -Reply $reply -OnEvent $OnEvent -EventState $EventState -Cmdlet $Cmdlet) { break }
        }
        $response = $session.Response
        if (-not $process.HasExited) { $process.StandardInput.Close() }
        if (-not $process.WaitForExit(30000)) { $process.Kill() }
        while (-not $stderrTask.Wait(200)) { }
        $stderrText = $stderrTask.Result
        Write-SamCoreLog -Text $stderrText -Cmdlet $Cmdlet
        if ($null -eq $response) {
            $tail = (@($stderrText -split "`r?`n" | Where-Object { $_ } | Select-Object -Last 5) -join ' | ')
            return (New-SamErrorRecord -ErrorId 'SamBridge.CoreFailed' -Category InvalidResult -Terminating `
                    -Message ("The sam-bridge core ($($core.Display)) ended with exit code $($process.ExitCode) without a response. $tail").Trim() `
                    -Remediation 'Run the same command with -Verbose to see the core''s log; check that the interpreter has the sam-bridge package installed.' `
                    -TargetObject $core.Display)
        }
        $response
    } finally {
        if (-not $process.HasExited) { $process.Kill() }
        $process.Dispose()
    }
}
