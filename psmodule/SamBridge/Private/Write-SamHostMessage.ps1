function Write-SamHostMessage {
    <#
    .SYNOPSIS
        Shows the person at the console what the core has to say during a request (a device code, a sign-in URL).
    .DESCRIPTION
        Write-Host, because this must reach the person even when the output is captured or the
        warning stream is silenced; it is also on the information stream (6>) for scripts.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][AllowEmptyString()][string] $Message)
    Write-Host -Object $Message
}
