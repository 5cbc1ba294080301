function Invoke-SamBridgeChildProcess {
    <#
    .SYNOPSIS
        The child-process transport: one request to `sam-bridge rpc` (or `python -m bridge rpc`), one response back.
    .DESCRIPTION
        Starts the core found by Resolve-SamBridgeCommand. Its command line holds no secret: the
        request, secrets included, is the first line written to its stdin. It reads stdout line by
        line: interaction events (a device code or sign-in URL to show, a redirected URL to ask
        for) are handled as they come, and the line with "ok" is the response, returned as text.
        Anything else on stdout is passed to Write-Verbose. stderr is the core's log: lines
        'warning: ...' become warnings, the rest verbose output. The wait polls, so Ctrl+C stops
        it; the child is killed if it is still running when this function ends for any reason.

        A failure of the transport itself (no core, a core that ends without a response) is
        returned as a terminating ErrorRecord, not thrown: errors reach the user only through
        the calling cmdlet, so its -ErrorVariable holds exactly what it reported.
    .PARAMETER RequestJson
        The request (one JSON document on one line).
    .PARAMETER Cmdlet
        The calling cmdlet's $PSCmdlet: the core's logged warnings become its warnings.
    #>
    [CmdletBinding()]
    [OutputType([string], [System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory = $true)]
        [string] $RequestJson,

        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet
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

        $response = $null
        $lastMessage = $null
        while ($null -eq $response) {
            $lineTask = $process.StandardOutput.ReadLineAsync()
            while (-not $lineTask.Wait(200)) { }
            $line = $lineTask.Result
            if ($null -eq $line) { break }
            $item = ConvertFrom-SamJsonLine -Line $line
            if ($null -eq $item) {
                if ($line.Trim()) { Write-Verbose "sam-bridge core (stdout): $line" }
                continue
            }
            $kind = Get-SamProperty -InputObject $item -Name 'event'
            if ($kind -eq 'message') {
                $lastMessage = [string](Get-SamProperty -InputObject $item -Name 'text')
                Write-SamHostMessage -Message $lastMessage
            } elseif ($kind -eq 'input') {
                $answer = Read-SamHostInput -Name ([string](Get-SamProperty -InputObject $item -Name 'name')) `
                    -Prompt ([string](Get-SamProperty -InputObject $item -Name 'prompt')) -Context $lastMessage
                $reply = $utf8.GetBytes((ConvertTo-Json -InputObject @{ value = [string]$answer } -Compress) + "`n")
                $stdin.Write($reply, 0, $reply.Length)
                $stdin.Flush()
            } elseif ($null -ne (Get-SamProperty -InputObject $item -Name 'ok')) {
                $response = $line
            } else {
                Write-Verbose "sam-bridge core (stdout): $line"
            }
        }
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

function ConvertFrom-SamJsonLine {
    # A line of the core's stdout as an object when it is a JSON object, else $null. Only lines that
    # look like objects are parsed: a parse failure, even caught, would show in the calling
    # cmdlet's -ErrorVariable, so it must stay the rare exception.
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory = $true)][AllowEmptyString()][string] $Line)
    $text = $Line.Trim()
    if (-not ($text.StartsWith('{') -and $text.EndsWith('}'))) { return $null }
    $parsed = $null
    try {
        $parsed = ConvertFrom-Json -InputObject $text
    } catch {
        Write-Verbose "sam-bridge: not JSON: $($_.Exception.Message)"
    }
    if ($parsed -isnot [System.Management.Automation.PSCustomObject]) { return $null }
    $parsed
}
