<#
.SYNOPSIS
    Registers the daily keepalive of a profile as a scheduled task on a Windows jump box.
.DESCRIPTION
    The task runs Invoke-Keepalive.ps1 (beside this script) with Windows PowerShell 5.1 every
    day, as the user whose Credential Manager holds the refresh token. It logs on with that
    user's password (stored by Task Scheduler), not S4U: Credential Manager's secrets are
    protected by DPAPI, which opens the user's keys only with a password logon. Run it once,
    elevated, after Invoke-SamConsent; docs/DEPLOY.md.
.PARAMETER ProfileName
    The sam-bridge profile to keep alive.
.PARAMETER RunAs
    The user the task runs as: the one who ran Register-SamProfile and Invoke-SamConsent.
.PARAMETER At
    The time of day to run (default 03:00).
.PARAMETER TaskName
    The task's name, in the \sam-bridge\ folder of Task Scheduler.
#>
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    [Parameter(Mandatory = $true)]
    [string] $ProfileName,

    [Parameter(Mandatory = $true)]
    [System.Management.Automation.PSCredential] $RunAs,

    [datetime] $At = '03:00',

    [string] $TaskName = 'keepalive'
)
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$script = Join-Path -Path $PSScriptRoot -ChildPath 'Invoke-Keepalive.ps1'
# The paths are quoted: a profile folder or C:\Program Files has spaces.
$arguments = '-NoProfile -NonInteractive -ExecutionPolicy Bypass -File "{0}" -ProfileName "{1}"' -f $script, $ProfileName
$action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument $arguments -WorkingDirectory $PSScriptRoot
$trigger = New-ScheduledTaskTrigger -Daily -At $At -RandomDelay (New-TimeSpan -Minutes 30)
$settings = New-ScheduledTaskSettingsSet -StartWhenAvailable -ExecutionTimeLimit (New-TimeSpan -Minutes 15) -RestartCount 3 -RestartInterval (New-TimeSpan -Minutes 10)
if ($PSCmdlet.ShouldProcess("\sam-bridge\$TaskName", "Register a daily keepalive of profile $ProfileName as $($RunAs.UserName)")) {
    Register-ScheduledTask -TaskName $TaskName -TaskPath '\sam-bridge\' -Action $action -Trigger $trigger -Settings $settings `
        -User $RunAs.UserName -Password $RunAs.GetNetworkCredential().Password -RunLevel Limited `
        -Description "sam-bridge: keeps the refresh token of profile $ProfileName alive" -Force
}
