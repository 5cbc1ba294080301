function Receive-SamBridgeLine {
    <#
    .SYNOPSIS
        Handles one line the core wrote while a request runs; the same for every transport.
    .DESCRIPTION
        Both transports read the core's output as lines of the RPC contract (bridge/rpc/protocol.py): the
        child process from its stdout, the in-process bridge from the call's line queue. This
        function decides what each line is, so the transports cannot drift apart:

        - {"event":"message"}: shown to the person (Write-SamHostMessage), and remembered as the
          context of a following question;
        - {"event":"input"}: the person's answer (Read-SamHostInput) is sent back through -Reply as
          one JSON line;
        - {"event":"batch"} and {"event":"result"} (a batch across tenants): passed to -OnEvent
          with the calling cmdlet and -EventState, which writes each tenant's outcome down the
          pipeline as it arrives; without -OnEvent they go to the verbose stream;
        - a JSON object with "ok": the response. $true is returned and the parsed response kept
          in $Session.Response (parsed once: the transports hand it over as it is);
        - anything else (a library printing to stdout): Write-Verbose.
    .PARAMETER Line
        The line.
    .PARAMETER Session
        The request's state: LastMessage and Response.
    .PARAMETER Reply
        Sends one answer line to the core: & $Reply '{"value":"..."}' $Session (the transport keeps
        what it needs to write, its stdin or its call, in the session).
    .PARAMETER OnEvent
        The calling cmdlet's handler of batch events: & $OnEvent $item $Cmdlet $EventState.
    .PARAMETER EventState
        What -OnEvent keeps between events (counts, the tenants as given).
    .PARAMETER Cmdlet
        The calling cmdlet's $PSCmdlet.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory = $true)][AllowEmptyString()][string] $Line,
        [Parameter(Mandatory = $true)][hashtable] $Session,
        [Parameter(Mandatory = $true)][scriptblock] $Reply,
        [scriptblock] $OnEvent,
        [object] $EventState,
        [System.Management.Automation.PSCmdlet] $Cmdlet
    )
    # Parsed and read inline, without helper functions: this runs for every line of every request,
    # and each function call costs about a tenth of a millisecond. Only lines that look like JSON
    # objects are parsed: a parse failure, even caught, would show in the calling cmdlet's
    # -ErrorVariable, so it must stay the rare exception.
    $item = $null
    $text = $Line.Trim()
    if ($text.StartsWith('{') -and $text.EndsWith('}')) {
        try {
            $item = ConvertFrom-Json -InputObject $text
        } catch {
            Write-Verbose "sam-bridge: not JSON: $($_.Exception.Message)"
        }
        if ($item -isnot [System.Management.Automation.PSCustomObject]) { $item = $null }
    }
    if ($null -eq $item) {
        if ($text) { Write-Verbose "sam-bridge core (stdout): $Line" }
        return $false
    }
    $kind = $null
    $property = $item.PSObject.Properties['event']
    if ($null -ne $property) { $kind = $property.Value }
    if ($kind -eq 'message') {
        $Session.LastMessage = [string](Get-SamProperty -InputObject $item -Name 'text')
        Write-SamHostMessage -Message $Session.LastMessage
    } elseif ($kind -eq 'input' -and $Session['NoInput']) {
        # A request run without a thread cannot be answered (its stdin was closed, so the core has
        # already failed the question): asking the person would be for nothing.
        Write-Verbose "sam-bridge: the core asked for $($item.name), and this request cannot take an answer"
    } elseif ($kind -eq 'input') {
        $answer = Read-SamHostInput -Name ([string](Get-SamProperty -InputObject $item -Name 'name')) `
            -Prompt ([string](Get-SamProperty -InputObject $item -Name 'prompt')) -Context $Session.LastMessage
        & $Reply (ConvertTo-Json -InputObject @{ value = [string]$answer } -Depth 2 -Compress) $Session
    } elseif ($kind -eq 'batch' -or $kind -eq 'result') {
        if ($OnEvent) {
            & $OnEvent $item $Cmdlet $EventState
        } else {
            Write-Verbose "sam-bridge core: a $kind event, and no handler for it"
        }
    } elseif ($null -eq $kind -and $null -ne $item.PSObject.Properties['ok']) {
        $Session.Response = $item
        return $true
    } else {
        Write-Verbose "sam-bridge core (stdout): $Line"
    }
    $false
}
