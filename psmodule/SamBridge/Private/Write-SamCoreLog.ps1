function Write-SamCoreLog {
    <#
    .SYNOPSIS
        Passes the core's stderr log on: its warnings as warnings, everything else as verbose output.
    .DESCRIPTION
        The core logs 'warning: TEXT' (or 'WARNING logger: TEXT' with --verbose, which the module
        passes when -Verbose is on) and masks secrets before it logs anything. Warnings are the
        calling cmdlet's (-Cmdlet), so its -WarningVariable holds them.
    #>
    [CmdletBinding()]
    param(
        [AllowNull()][AllowEmptyString()][string] $Text,
        [Parameter(Mandatory = $true)][System.Management.Automation.PSCmdlet] $Cmdlet
    )
    if (-not $Text) { return }
    foreach ($line in @($Text -split "`r?`n")) {
        if (-not $line.Trim()) { continue }
        if ($line -match '^warning: (?<message>.*)$') {
            $Cmdlet.WriteWarning($Matches['message'])
        } elseif ($line -match '^(WARNING|ERROR|CRITICAL) [\w.]+: (?<message>.*)$') {
            $Cmdlet.WriteWarning($Matches['message'])
        } else {
            Write-Verbose -Message "sam-bridge core: $line"
        }
    }
}
