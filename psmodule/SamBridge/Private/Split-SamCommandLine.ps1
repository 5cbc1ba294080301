function Split-SamCommandLine {
    <#
    .SYNOPSIS
        A command line as words: the program first, then its arguments split at white space.
    .DESCRIPTION
        A program path with spaces (C:\Program Files\...) is either the whole text (a file), or
        quoted ("..." or '...') when arguments follow. The generated snippets read SAM_BRIDGE_CLI
        by the same rule (bridge._targets.snippets).
    #>
    [CmdletBinding()]
    [OutputType([string[]])]
    param([Parameter(Mandatory = $true)][string] $Text)
    $Text = $Text.Trim()
    if (Test-Path -LiteralPath $Text -PathType Leaf) { return [string[]]@($Text) }
    if ($Text -match '^(?:"([^"]+)"|''([^'']+)'')\s*(.*)$') {
        $program = $Matches[1]
        if (-not $program) { $program = $Matches[2] }
        return [string[]](@($program) + @($Matches[3] -split '\s+' | Where-Object { $_ }))
    }
    [string[]]@($Text -split '\s+')
}
