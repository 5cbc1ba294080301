function Invoke-SamBridgeCore {
    <#
    .SYNOPSIS
        Runs one request in the sam-bridge core and returns its result: the module's only way to the core.
    .DESCRIPTION
        Builds the JSON request of the RPC contract (bridge/rpc/protocol.py), with the secrets turned from
        SecureString to text only inside the request, hands it to the transport the module's
        options select (Get-SamBridgeTransport), writes the response's warnings as the calling
        cmdlet's warnings, and returns the result.

        A core error becomes an ErrorRecord with the core's ErrorId, category, message,
        remediation (ErrorDetails.RecommendedAction) and the given TargetObject, written through
        -Cmdlet (Write-SamError): non-terminating for an error about this input, terminating when
        the core cannot be reached. Nothing is then returned. Errors are never thrown inside the
        module, because a thrown error shows in the cmdlet's -ErrorVariable even when caught.

        Every transport takes the same request text and reads the same output lines through
        Receive-SamBridgeLine, so the cmdlets behave the same whichever is used (one Pester suite
        runs against both). Events a batch streams before its response (one per tenant) go to
        -OnEvent as they arrive.
    .PARAMETER Command
        The core command, e.g. 'token', 'connect.params', 'consent'.
    .PARAMETER Arguments
        The command's arguments. Values must be JSON-able: text, numbers, booleans, arrays, $null.
    .PARAMETER Secrets
        Secret arguments as SecureString (a $null value is left out). They exist as text only
        inside the request, which reaches the core on stdin (child process) or in memory.
    .PARAMETER TargetObject
        What an error record names as its target (a profile name, a tenant).
    .PARAMETER Cmdlet
        The calling cmdlet's $PSCmdlet: errors are reported as that cmdlet's. Default: this function's.
    .PARAMETER OnEvent
        Handles a batch's events (& $OnEvent $item $Cmdlet $EventState), e.g. Invoke-SamBridgeBatch's.
    .PARAMETER EventState
        What -OnEvent keeps between events.
    #>
    [CmdletBinding()]
    [OutputType([object])]
    param(
        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $Command,

        [System.Collections.IDictionary] $Arguments = @{},

        [System.Collections.IDictionary] $Secrets = @{},

        [object] $TargetObject,

        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [scriptblock] $OnEvent,

        [object] $EventState
    )
    if (-not $Cmdlet) { $Cmdlet = $PSCmdlet }
    $transport = Get-SamBridgeTransport -Command $Command
    if ($transport.Error) {
        Write-SamError -Cmdlet $Cmdlet -ErrorRecord $transport.Error
        return
    }
    if ($transport.Notice) { $Cmdlet.WriteWarning($transport.Notice) }
    $requestJson = $null
    $plain = @{}
    try {
        if ($Secrets.Count -gt 0) {
            foreach ($name in @($Secrets.Keys)) {
                if ($null -ne $Secrets[$name]) {
                    $plain[$name] = ConvertFrom-SamSecureString -SecureString $Secrets[$name]
                }
            }
        }
        $request = [ordered]@{
            v       = 1
            command = $Command
            args    = $Arguments
            secrets = $plain
            config  = $script:SamBridgeOptions.ConfigPath
        }
        $requestJson = ConvertTo-Json -InputObject $request -Depth 10 -Compress
        if ($VerbosePreference -ne 'SilentlyContinue') { Write-Verbose "sam-bridge: $Command over the $($transport.Name) transport" }
        $answer = $null
        if ($transport.Name -eq 'InProcess') {
            # Requests that ask the person something or stream results need the pipeline thread free.
            $threaded = $Command -eq 'consent' -or $null -ne $OnEvent
            $answer = Invoke-SamBridgeInProcess -Engine $transport.Engine -RequestJson $requestJson -Cmdlet $Cmdlet -OnEvent $OnEvent -EventState $EventState -Threaded:$threaded
        } else {
            $answer = Invoke-SamBridgeChildProcess -RequestJson $requestJson -Cmdlet $Cmdlet -OnEvent $OnEvent -EventState $EventState
        }
    } finally {
        # The text copies of the secrets go out of reach as soon as the request is sent.
        $plain.Clear()
        $requestJson = $null
    }
    if ($answer -is [System.Management.Automation.ErrorRecord]) {
        Write-SamError -Cmdlet $Cmdlet -ErrorRecord $answer
        return
    }

    # Parsed once, by Receive-SamBridgeLine. Its properties are read inline (a function call per
    # property would be a noticeable part of a request answered from the token cache).
    $response = $answer
    $fields = $response.PSObject.Properties
    $ok = $null
    if ($null -ne $fields['ok']) { $ok = $fields['ok'].Value }
    if ($ok -isnot [bool] -or (-not $ok -and ($null -eq $fields['error'] -or $null -eq $fields['error'].Value))) {
        Write-SamError -Cmdlet $Cmdlet -ErrorRecord (New-SamErrorRecord -ErrorId 'SamBridge.ProtocolError' -Category InvalidResult -Terminating `
                -Message 'The sam-bridge core answered with something that is not a response of its RPC contract.' `
                -Remediation 'Check that the sam-bridge core and the SamBridge module are the same version (Get-SamBridgeOption shows which core runs).' `
                -TargetObject $TargetObject)
        return
    }
    if ($null -ne $fields['warnings']) {
        foreach ($warning in @($fields['warnings'].Value)) {
            # Through the cmdlet, so its -WarningVariable holds them (a nested Write-Warning's would not).
            if ($warning) { $Cmdlet.WriteWarning([string]$warning) }
        }
    }
    if (-not $ok) {
        Write-SamError -Cmdlet $Cmdlet -ErrorRecord (ConvertTo-SamErrorRecord -CoreError $response.error -TargetObject $TargetObject)
        return
    }
    if ($null -ne $fields['result']) { $fields['result'].Value }
}
