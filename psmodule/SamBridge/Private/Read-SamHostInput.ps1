function Read-SamHostInput {
    <#
    .SYNOPSIS
        Asks the person at the console for the one line the core needs (the redirected URL of a print-URL consent).
    .PARAMETER Name
        What the core asks for (e.g. redirect_url).
    .PARAMETER Prompt
        The prompt to show.
    .PARAMETER Context
        The last message the core showed (e.g. the sign-in URL the answer belongs to).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)][string] $Name,
        [Parameter(Mandatory = $true)][string] $Prompt,
        [AllowNull()][AllowEmptyString()][string] $Context
    )
    Write-Verbose "sam-bridge: the core asks for $Name"
    Read-Host -Prompt $Prompt
}
