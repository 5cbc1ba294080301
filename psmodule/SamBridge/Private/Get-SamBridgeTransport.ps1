function Get-SamBridgeTransport {
    <#
    .SYNOPSIS
        The transport a request goes over: the one place that reads the module's Transport setting.
    .DESCRIPTION
        The setting is Set-SamBridgeOption -Transport, else the environment variable
        SAM_BRIDGE_TRANSPORT, else Auto.

        'InProcess' runs the core inside this PowerShell process (pythonnet, Get-SamBridgeEngine);
        'ChildProcess' runs it as a child process per request (`sam-bridge rpc`). Both take the
        same request and give the same answers and events.

        'Auto' picks the in-process transport when it is available, else the child process, saying
        why once per reason and session as a warning of the calling cmdlet (Notice), then with
        Write-Verbose. One exception: an interactive consent (-Command consent) goes to
        the child process under Auto, because Ctrl+C can stop a child process at once, while a
        Python thread waiting for a device-code sign-in can only be abandoned (it runs on until
        the sign-in times out); start-up time does not matter for a sign-in done every 90 days.
        Forced to InProcess, consent runs in-process too, prompts included.

        Under Auto, the first requests of a process that has no engine yet go to the child process
        ($script:SamBridgeAutoChildRequests of them), and the engine starts with the next one: a
        child process costs about a third of what starting the engine costs (pythonnet, the
        interpreter, the core's imports), so a runbook that asks for one or two tokens is done
        before an engine would have started, and a session that goes on pays the engine once it
        is clear that it will (renting before buying: never more than about twice the better of the
        two). Get-SamBridgeOption, which names no command, starts the engine.

        Returns a hashtable: Name ('InProcess' or 'ChildProcess'), Engine (for InProcess), Error
        (an ErrorRecord) when the setting is invalid or InProcess is forced but cannot run, and
        InProcessProblem: why the in-process transport cannot run, when it was asked and cannot;
        Notice: the fallback's warning, the first time it happens for that reason.
    .PARAMETER Command
        The core command about to run (consent is routed as described above).
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param([string] $Command)
    $chosen = @{ Name = 'ChildProcess'; Engine = $null; Error = $null; InProcessProblem = $null; Notice = $null }
    # The setting, read inline (not through Get-SamBridgeTransportSetting): this runs for every
    # request, and a function call costs a tenth of a millisecond.
    $wanted = $script:SamBridgeOptions.Transport
    if (-not $wanted) { $wanted = $env:SAM_BRIDGE_TRANSPORT }
    if (-not $wanted) { $wanted = 'Auto' }
    if ($wanted -notin @('Auto', 'InProcess', 'ChildProcess')) {
        $chosen.Error = New-SamErrorRecord -ErrorId 'SamBridge.InvalidInput' -Category InvalidArgument -Terminating `
            -Message "SAM_BRIDGE_TRANSPORT is '$wanted', which is not a transport." `
            -Remediation 'Set it to Auto, InProcess or ChildProcess, or remove it.' -TargetObject $wanted
        return $chosen
    }
    if ($wanted -eq 'ChildProcess') { return $chosen }
    if ($wanted -eq 'Auto' -and $Command -eq 'consent') {
        Write-Verbose 'sam-bridge: consent runs in a child process (Transport Auto), so that Ctrl+C can stop a sign-in at once.'
        return $chosen
    }
    # What the engine decision depends on; when it is unchanged the remembered decision stands, with
    # no call to Get-SamBridgeEngine (this runs for every request).
    if ($wanted -eq 'Auto' -and $Command -and $script:SamBridgeAutoChildUsed -lt $script:SamBridgeAutoChildRequests -and
        $null -eq [System.AppDomain]::CurrentDomain.GetData($script:SamBridgeEngineSlot)) {
        $script:SamBridgeAutoChildUsed++
        return $chosen
    }
    $key = [string]::Join([string][char]0, @([string]$script:SamBridgeOptions.PythonPath, [string]$script:SamBridgeOptions.PythonRuntimePath,
            [string]$env:SAM_BRIDGE_PYTHON, [string]$env:SAM_BRIDGE_CLI, [string]$env:SAM_BRIDGE_PYTHONNET_DLL, [string]$env:PATH))
    if ($script:SamBridgeEngineKey -eq $key) {
        $engine = $script:SamBridgeEngine
    } else {
        $engine = Get-SamBridgeEngine -Key $key
    }
    if ($engine) {
        $chosen.Name = 'InProcess'
        $chosen.Engine = $engine
        return $chosen
    }
    $chosen.InProcessProblem = $script:SamBridgeEngineProblem
    if ($wanted -eq 'InProcess') {
        $chosen.Name = 'InProcess'
        $chosen.Error = New-SamErrorRecord -ErrorId 'SamBridge.InProcessUnavailable' -Category NotInstalled -Terminating `
            -Message "The in-process transport cannot run: $script:SamBridgeEngineProblem" `
            -Remediation 'Fix what the message names, or use the child-process transport: Set-SamBridgeOption -Transport Auto (or ChildProcess).' `
            -TargetObject 'InProcess'
        return $chosen
    }
    # Said once per reason and session, not on every request, and not silently.
    $message = "sam-bridge: the in-process transport is not available ($script:SamBridgeEngineProblem); using the child process."
    if ($script:SamBridgeFallbackSaid -ne $script:SamBridgeEngineProblem) {
        $script:SamBridgeFallbackSaid = $script:SamBridgeEngineProblem
        # Written by the calling cmdlet (Invoke-SamBridgeCore); not when no core is found at all,
        # which the child process's SamBridge.CoreNotFound error says itself.
        if (-not ((Resolve-SamBridgeCommand) -is [System.Management.Automation.ErrorRecord])) { $chosen.Notice = $message }
    } else {
        Write-Verbose $message
    }
    $chosen
}

# The in-process problem last said with Write-Warning under Auto.
$script:SamBridgeFallbackSaid = $null
# Under Auto, how many requests go to the child process before the engine starts (see above), and
# how many have.
$script:SamBridgeAutoChildRequests = 2
$script:SamBridgeAutoChildUsed = 0
