function ConvertTo-SamDateTimeOffset {
    <#
    .SYNOPSIS
        A core timestamp as a DateTimeOffset in UTC ($null stays $null).
    .DESCRIPTION
        The core writes ISO 8601 UTC text. PowerShell 7's ConvertFrom-Json turns such text into a
        DateTime already; Windows PowerShell 5.1 leaves it text. Both end up the same here.
    #>
    [CmdletBinding()]
    [OutputType([System.DateTimeOffset])]
    param([Parameter(Mandatory = $true)][AllowNull()][AllowEmptyString()][object] $Value)
    if ($null -eq $Value -or ($Value -is [string] -and -not $Value)) { return $null }
    if ($Value -is [System.DateTimeOffset]) { return $Value.ToUniversalTime() }
    if ($Value -is [datetime]) {
        if ($Value.Kind -eq [System.DateTimeKind]::Unspecified) {
            $Value = [datetime]::SpecifyKind($Value, [System.DateTimeKind]::Utc)
        }
        return [System.DateTimeOffset]::new($Value.ToUniversalTime())  # ::new: New-Object costs more than the rest
    }
    $styles = [System.Globalization.DateTimeStyles]::AssumeUniversal -bor [System.Globalization.DateTimeStyles]::AdjustToUniversal
    [System.DateTimeOffset]::Parse([string]$Value, [System.Globalization.CultureInfo]::InvariantCulture, $styles)
}
