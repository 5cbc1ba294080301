# A stand-in for Windows' ScheduledTasks module (a CDXML module that exists only on Windows), for
# binding the jump-box samples here: the parameter sets of the cmdlets they call, as Microsoft's
# reference documents them (learn.microsoft.com/powershell/module/scheduledtasks), minus the CIM
# plumbing (-CimSession, -ThrottleLimit, -AsJob). Each returns what it was bound with.

function New-ScheduledTaskAction {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true, Position = 0)][string] $Execute,
        [Parameter(Position = 1)][string] $Argument,
        [Parameter(Position = 2)][string] $WorkingDirectory,
        [string] $Id
    )
    [pscustomobject]@{ Cmdlet = $MyInvocation.MyCommand.Name; Bound = $PSBoundParameters }
}

function New-ScheduledTaskTrigger {
    [CmdletBinding(DefaultParameterSetName = 'Once')]
    param(
        [Parameter(Mandatory = $true, ParameterSetName = 'Once')][switch] $Once,
        [Parameter(Mandatory = $true, ParameterSetName = 'Daily')][switch] $Daily,
        [Parameter(Mandatory = $true, ParameterSetName = 'Weekly')][switch] $Weekly,
        [Parameter(Mandatory = $true, ParameterSetName = 'AtLogon')][switch] $AtLogOn,
        [Parameter(Mandatory = $true, ParameterSetName = 'AtStartup')][switch] $AtStartup,
        [Parameter(Mandatory = $true, ParameterSetName = 'Once')]
        [Parameter(Mandatory = $true, ParameterSetName = 'Daily')]
        [Parameter(Mandatory = $true, ParameterSetName = 'Weekly')][datetime] $At,
        [Parameter(ParameterSetName = 'Daily')][uint32] $DaysInterval,
        [Parameter(Mandatory = $true, ParameterSetName = 'Weekly')][System.DayOfWeek[]] $DaysOfWeek,
        [Parameter(ParameterSetName = 'Weekly')][uint32] $WeeksInterval,
        [Parameter(ParameterSetName = 'Once')][timespan] $RepetitionInterval,
        [Parameter(ParameterSetName = 'Once')][timespan] $RepetitionDuration,
        [Parameter(ParameterSetName = 'AtLogon')][string] $User,
        [timespan] $RandomDelay
    )
    [pscustomobject]@{ Cmdlet = $MyInvocation.MyCommand.Name; Bound = $PSBoundParameters; Set = $PSCmdlet.ParameterSetName }
}

function New-ScheduledTaskSettingsSet {
    [CmdletBinding()]
    param(
        [switch] $DisallowDemandStart, [switch] $DisallowHardTerminate, [string] $Compatibility,
        [timespan] $DeleteExpiredTaskAfter, [switch] $AllowStartIfOnBatteries, [switch] $Disable,
        [switch] $MaintenanceExclusive, [switch] $Hidden, [switch] $RunOnlyIfIdle, [timespan] $IdleWaitTimeout,
        [string] $NetworkId, [string] $NetworkName, [switch] $DisallowStartOnRemoteAppSession,
        [timespan] $MaintenancePeriod, [timespan] $MaintenanceDeadline, [switch] $StartWhenAvailable,
        [switch] $DontStopIfGoingOnBatteries, [switch] $WakeToRun, [timespan] $IdleDuration, [switch] $RestartOnIdle,
        [switch] $DontStopOnIdleEnd, [timespan] $ExecutionTimeLimit,
        [ValidateSet('Parallel', 'Queue', 'IgnoreNew')][string] $MultipleInstances,
        [int] $Priority, [int] $RestartCount, [timespan] $RestartInterval, [switch] $RunOnlyIfNetworkAvailable
    )
    [pscustomobject]@{ Cmdlet = $MyInvocation.MyCommand.Name; Bound = $PSBoundParameters }
}

function Register-ScheduledTask {
    [CmdletBinding(DefaultParameterSetName = 'User', SupportsShouldProcess = $true)]
    param(
        [Parameter(Mandatory = $true, Position = 0, ParameterSetName = 'User')]
        [Parameter(Mandatory = $true, Position = 0, ParameterSetName = 'Principal')]
        [Parameter(Mandatory = $true, Position = 0, ParameterSetName = 'Xml')]
        [Parameter(ParameterSetName = 'Object')][string] $TaskName,
        [Parameter(Position = 1)][string] $TaskPath,
        [Parameter(Mandatory = $true, ParameterSetName = 'User')]
        [Parameter(Mandatory = $true, ParameterSetName = 'Principal')][object[]] $Action,
        [Parameter(ParameterSetName = 'User')]
        [Parameter(ParameterSetName = 'Principal')][object[]] $Trigger,
        [Parameter(ParameterSetName = 'User')]
        [Parameter(ParameterSetName = 'Principal')][object] $Settings,
        [Parameter(Mandatory = $true, ParameterSetName = 'Principal')][object] $Principal,
        [Parameter(Mandatory = $true, ParameterSetName = 'Xml')][string] $Xml,
        [Parameter(Mandatory = $true, ParameterSetName = 'Object')][object] $InputObject,
        [Parameter(ParameterSetName = 'User')]
        [Parameter(ParameterSetName = 'Xml')]
        [Parameter(ParameterSetName = 'Object')][string] $User,
        [Parameter(ParameterSetName = 'User')]
        [Parameter(ParameterSetName = 'Xml')]
        [Parameter(ParameterSetName = 'Object')][string] $Password,
        [Parameter(ParameterSetName = 'User')][ValidateSet('Limited', 'Highest')][string] $RunLevel,
        [Parameter(ParameterSetName = 'User')]
        [Parameter(ParameterSetName = 'Principal')][string] $Description,
        [switch] $Force
    )
    [pscustomobject]@{ Cmdlet = $MyInvocation.MyCommand.Name; Bound = $PSBoundParameters; Set = $PSCmdlet.ParameterSetName }
}
