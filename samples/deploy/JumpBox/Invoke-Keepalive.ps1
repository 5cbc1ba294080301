<#
.SYNOPSIS
    Keeps a profile's refresh token alive on a Windows jump box: run daily by Task Scheduler (Register-KeepaliveTask.ps1).
.DESCRIPTION
    One forced redemption (New-SamAccessToken -Force) stores the rotated refresh token in the
    profile's store, here Windows Credential Manager through keyring; then the token's status is
    appended as one JSON line to the log. Exits 1 when either fails, so the task's last result
    shows it. Windows PowerShell 5.1 or PowerShell 7; docs/DEPLOY.md.
.PARAMETER ProfileName
    The sam-bridge profile to keep alive.
.PARAMETER LogPath
    The log file (default %LOCALAPPDATA%\sam-bridge\keepalive.log).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)]
    [string] $ProfileName,

    [string] $LogPath = (Join-Path -Path $env:LOCALAPPDATA -ChildPath 'sam-bridge\keepalive.log')
)
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
Import-Module -Name SamBridge

$entry = [ordered]@{ time = (Get-Date).ToUniversalTime().ToString('o'); profile = $ProfileName }
$exitCode = 0
try {
    $null = New-SamAccessToken -Profile $ProfileName -Force -Confirm:$false
    $status = Get-SamRefreshTokenStatus -Profile $ProfileName
    $entry['state'] = [string]$status.State
    $entry['days_left'] = [double]$status.DaysLeft
    if ($status.State -ne 'ok') { $exitCode = 1 }
} catch {
    $entry['error'] = $_.FullyQualifiedErrorId
    $entry['message'] = $_.Exception.Message
    $exitCode = 1
}
$folder = Split-Path -Path $LogPath -Parent
if (-not (Test-Path -LiteralPath $folder)) { $null = New-Item -ItemType Directory -Path $folder }
# -InputObject and -Depth: Windows PowerShell 5.1 unrolls piped arrays and cuts nesting at depth 2.
$line = ConvertTo-Json -InputObject $entry -Depth 3 -Compress
# UTF-8 said explicitly: Windows PowerShell 5.1's Add-Content writes the ANSI code page by default.
Add-Content -LiteralPath $LogPath -Value $line -Encoding UTF8
exit $exitCode
