function Invoke-SamBridgeInProcess {
    <#
    .SYNOPSIS
        The in-process transport: one request to the core hosted in this PowerShell process (pythonnet), one response back.
    .DESCRIPTION
        The same request text as the child process's stdin goes to bridge.rpc.start() (the core's in-process entry),
        which runs the very function `sam-bridge rpc` runs (serve_stdio), over in-memory pipes.
        This function then reads the core's output exactly as the child-process transport reads
        stdout: line by line, each line handed to Receive-SamBridgeLine (messages shown, questions
        answered, batch results passed down the pipeline, the response returned parsed), and the
        core's log (its stderr) passed to Write-SamCoreLog at the end.

        -Threaded (consent, batches) runs the request on a Python thread: the GIL is taken per
        step (start, each poll, answer, finish) and released in between, so the core works while
        PowerShell shows a prompt or runs the rest of the pipeline. Polls wait at most 200 ms, so
        Ctrl+C is noticed; the call is cancelled if this function ends without a response for any
        reason (Ctrl+C, a downstream Select-Object -First): the core's next output then raises, its
        batch stops submitting tenants and still stores the newest rotated refresh token.

        Every other request runs on this thread, within one GIL hold, and has ended when start()
        returns: handing a short request to another thread and back costs more than the request
        (two wake-ups by the OS scheduler). Such a request waits on nothing but the network, so
        Ctrl+C takes effect when it returns, within the HTTP timeouts (SAM_BRIDGE_HTTP_TIMEOUT).

        What a process would have of its own goes with the request: the PowerShell location (the
        working directory for relative paths), the process environment ($env: changes made since
        Python started), and -Verbose (the core's log level, as `rpc --verbose`).

        Failures of the transport itself are returned as terminating ErrorRecords, never thrown.
    .PARAMETER Engine
        The engine (Get-SamBridgeEngine).
    .PARAMETER RequestJson
        The request (one JSON document on one line).
    .PARAMETER Cmdlet
        The calling cmdlet's $PSCmdlet.
    .PARAMETER OnEvent
        The calling cmdlet's handler of batch events (see Receive-SamBridgeLine).
    .PARAMETER EventState
        What -OnEvent keeps between events.
    .PARAMETER Threaded
        Run the request on a Python thread (requests that ask questions or stream results).
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject], [System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory = $true)][hashtable] $Engine,
        [Parameter(Mandatory = $true)][string] $RequestJson,
        [Parameter(Mandatory = $true)][System.Management.Automation.PSCmdlet] $Cmdlet,
        [scriptblock] $OnEvent,
        [object] $EventState,
        [switch] $Threaded
    )
    $types = $Engine.Types
    $variables = [System.Environment]::GetEnvironmentVariables()
    $verbose = 0
    if ($VerbosePreference -ne 'SilentlyContinue') { $verbose = 1 }
    # $PWD when it is a folder (a fifth of the cost of asking for the file-system location).
    $location = $PWD
    if ($location.Provider.Name -ne 'FileSystem') { $location = $ExecutionContext.SessionState.Path.CurrentFileSystemLocation }
    $cwd = ''
    if ($location) { $cwd = $location.ProviderPath }

    $session = @{ LastMessage = $null; Response = $null; Call = $null; Types = $types; NoInput = (-not $Threaded) }
    $stderrText = ''
    $problem = $null
    $finished = $false
    $lines = $null
    try {
        $gil = $types.Py::GIL()
        try {
            try {
                $arguments = [System.Array]::CreateInstance($types.PyObject, 6)
                $arguments[0] = $types.PyString::new($RequestJson)
                $arguments[1] = $types.PyInt::new($verbose)
                $arguments[2] = $types.PyString::new($cwd)
                $arguments[3] = $types.PyString::new([string]::Join([string][char]0, [string[]]$variables.Keys))
                $arguments[4] = $types.PyString::new([string]::Join([string][char]0, [string[]]$variables.Values))
                $arguments[5] = $types.PyInt::new([int](-not $Threaded))
                $session.Call = $Engine.Start.Invoke($arguments)
                $arguments = $null
                if ($Threaded) {
                    $poll = [System.Array]::CreateInstance($types.PyObject, 1)
                    $poll[0] = $types.PyFloat::new(0.2)
                } else {
                    # The call has ended: its output and its log, in the same GIL hold.
                    $lines = $session.Call.InvokeMethod('drain').ToString()
                    $stderrText = $session.Call.InvokeMethod('finish').ToString()
                    $failure = $session.Call.GetAttr('failure')
                    if (-not $failure.IsNone()) { $problem = $failure.ToString() }
                    $finished = $true
                }
            } catch {
                # The host itself failed (a bug, or a core too old for this module): reported below as
                # SamBridge.CoreFailed, not thrown.
                $problem = $_.Exception.Message
                $finished = $true
                $Threaded = $false
                $lines = ''
            }
        } finally {
            $gil.Dispose()
        }
        if (-not $Threaded) {
            foreach ($line in $lines.Split("`n")) {
                if (Receive-SamBridgeLine -Line $line -Session $session -Reply {} -Cmdlet $Cmdlet) { break }
            }
        } else {
            $reply = {
                param([string] $Text, [hashtable] $Session)
                $answerGil = $Session.Types.Py::GIL()
                try {
                    $answer = [System.Array]::CreateInstance($Session.Types.PyObject, 1)
                    $answer[0] = $Session.Types.PyString::new($Text)
                    $null = $Session.Call.InvokeMethod('answer', $answer)
                } finally {
                    $answerGil.Dispose()
                }
            }
            while ($true) {
                $line = $null
                $ended = $false
                $gil = $types.Py::GIL()
                try {
                    $next = $session.Call.InvokeMethod('read_line', $poll)
                    if ($next.IsNone()) {
                        $ended = $session.Call.GetAttr('done').IsTrue()
                    } else {
                        $line = $next.ToString()
                    }
                } finally {
                    $gil.Dispose()
                }
                if ($null -ne $line) {
                    if (Receive-SamBridgeLine -Line $line -Session $session -Reply $reply -OnEvent $OnEvent -EventState $EventState -Cmdlet $Cmdlet) { break }
                } elseif ($ended) {
                    break
                }
            }
            $gil = $types.Py::GIL()
            try {
                $stderrText = $session.Call.InvokeMethod('finish').ToString()
                $failure = $session.Call.GetAttr('failure')
                if (-not $failure.IsNone()) { $problem = $failure.ToString() }
            } finally {
                $gil.Dispose()
            }
            $finished = $true
        }
    } finally {
        if (-not $finished -and $null -ne $session.Call) {
            # Stopped from outside (Ctrl+C, a downstream command that has enough): the core stops
            # at its next output, on its own thread.
            $gil = $types.Py::GIL()
            try { $null = $session.Call.InvokeMethod('cancel') } finally { $gil.Dispose() }
        }
    }
    if ($stderrText) { Write-SamCoreLog -Text $stderrText -Cmdlet $Cmdlet }
    if ($null -eq $session.Response) {
        $tail = (@($stderrText -split "`r?`n" | Where-Object { $_ } | Select-Object -Last 5) -join ' | ')
        return (New-SamErrorRecord -ErrorId 'SamBridge.CoreFailed' -Category InvalidResult -Terminating `
                -Message ("The sam-bridge core (in-process, $($Engine.Python)) ended without a response ($problem). $tail").Trim() `
                -Remediation 'Run the same command with -Verbose to see the core''s log, or use the child-process transport (Set-SamBridgeOption -Transport ChildProcess).' `
                -TargetObject $Engine.Python)
    }
    $session.Response
}
