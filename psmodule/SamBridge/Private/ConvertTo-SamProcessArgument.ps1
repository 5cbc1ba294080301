function ConvertTo-SamProcessArgument {
    <#
    .SYNOPSIS
        Quotes one argument for ProcessStartInfo.Arguments (the rules .NET uses on every platform).
    .DESCRIPTION
        Windows PowerShell's .NET has no ArgumentList, so arguments are joined into one string:
        an argument with whitespace or quotes is wrapped in double quotes, with embedded quotes and
        the backslashes before them escaped. Only paths and fixed words go here, never a secret.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory = $true)][AllowEmptyString()][string] $Value)
    if ($Value -and $Value -notmatch '[\s"]') { return $Value }
    $builder = New-Object -TypeName System.Text.StringBuilder
    [void]$builder.Append('"')
    $backslashes = 0
    foreach ($character in $Value.ToCharArray()) {
        if ($character -eq '\') {
            $backslashes++
            continue
        }
        if ($character -eq '"') {
            [void]$builder.Append('\', 2 * $backslashes + 1)
        } elseif ($backslashes -gt 0) {
            [void]$builder.Append('\', $backslashes)
        }
        $backslashes = 0
        [void]$builder.Append($character)
    }
    [void]$builder.Append('\', 2 * $backslashes)
    [void]$builder.Append('"')
    $builder.ToString()
}
