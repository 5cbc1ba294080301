function New-SamErrorRecord {
    <#
    .SYNOPSIS
        An ErrorRecord with sam-bridge's ErrorId, category, message, remediation and target.
    .DESCRIPTION
        The remediation is ErrorDetails.RecommendedAction (PowerShell 7 shows it as
        'Recommendation'); Windows PowerShell does not show that field, so there the error's
        displayed text carries it too. The exception's type follows the category, so scripts can
        catch [System.Security.Authentication.AuthenticationException], [System.ArgumentException]
        or [System.Management.Automation.ItemNotFoundException]; its Data holds the core's facts
        (ErrorId, Codes, CorrelationId, Error, ExitCode). -Terminating marks errors about the
        module's set-up (the core cannot be reached), which stop the command.
    #>
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory = $true)][string] $ErrorId,
        [Parameter(Mandatory = $true)][System.Management.Automation.ErrorCategory] $Category,
        [Parameter(Mandatory = $true)][string] $Message,
        [AllowNull()][AllowEmptyString()][string] $Remediation,
        [AllowNull()][object] $TargetObject,
        [System.Collections.IDictionary] $Data = @{},
        [switch] $Terminating
    )
    switch ($Category.ToString()) {
        'InvalidArgument' { $exception = [System.ArgumentException]::new($Message) }
        'AuthenticationError' { $exception = [System.Security.Authentication.AuthenticationException]::new($Message) }
        'PermissionDenied' { $exception = [System.Security.Authentication.AuthenticationException]::new($Message) }
        'ObjectNotFound' { $exception = [System.Management.Automation.ItemNotFoundException]::new($Message) }
        'ResourceExists' { $exception = [System.InvalidOperationException]::new($Message) }
        'ConnectionError' { $exception = [System.IO.IOException]::new($Message) }
        'LimitsExceeded' { $exception = [System.IO.IOException]::new($Message) }
        default { $exception = [System.InvalidOperationException]::new($Message) }
    }
    $exception.Data['ErrorId'] = $ErrorId
    if ($Remediation) { $exception.Data['Remediation'] = $Remediation }
    foreach ($key in @($Data.Keys)) {
        if ($null -ne $Data[$key]) { $exception.Data[$key] = $Data[$key] }
    }
    if ($Terminating) { $exception.Data['SamBridge.Terminating'] = $true }
    # ::new rather than New-Object (several times faster): a batch builds one per failed tenant.
    $record = [System.Management.Automation.ErrorRecord]::new($exception, $ErrorId, $Category, $TargetObject)
    $shown = $Message
    if ($Remediation -and $PSVersionTable.PSEdition -ne 'Core') { $shown = "$Message $Remediation" }
    $details = [System.Management.Automation.ErrorDetails]::new($shown)
    if ($Remediation) { $details.RecommendedAction = $Remediation }
    $record.ErrorDetails = $details
    $record
}

function ConvertTo-SamErrorRecord {
    <#
    .SYNOPSIS
        The ErrorRecord for a core error of the RPC contract ({type, error_id, category, message, remediation, ...}).
    #>
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory = $true)][object] $CoreError,
        [AllowNull()][object] $TargetObject
    )
    $category = [System.Management.Automation.ErrorCategory]::NotSpecified
    $name = [string](Get-SamProperty -InputObject $CoreError -Name 'category')
    if ($name -and [enum]::IsDefined([System.Management.Automation.ErrorCategory], $name)) {
        $category = [System.Management.Automation.ErrorCategory]$name
    }
    $errorId = [string](Get-SamProperty -InputObject $CoreError -Name 'error_id')
    if (-not $errorId) { $errorId = 'SamBridge.Error' }
    $message = [string](Get-SamProperty -InputObject $CoreError -Name 'message')
    if (-not $message) { $message = 'The sam-bridge core reported an error without a message.' }
    $codes = @(Get-SamProperty -InputObject $CoreError -Name 'codes' | ForEach-Object { [int]$_ })
    $data = @{
        Type          = Get-SamProperty -InputObject $CoreError -Name 'type'
        Error         = Get-SamProperty -InputObject $CoreError -Name 'error'
        CorrelationId = Get-SamProperty -InputObject $CoreError -Name 'correlation_id'
        ExitCode      = Get-SamProperty -InputObject $CoreError -Name 'exit_code'
    }
    if ($codes.Count -gt 0) { $data['Codes'] = [int[]]$codes }
    # The core names the input that was wrong where it knows better than the cmdlet (a profile name).
    $coreTarget = Get-SamProperty -InputObject $CoreError -Name 'target'
    if ($null -ne $coreTarget) { $TargetObject = $coreTarget }
    New-SamErrorRecord -ErrorId $errorId -Category $category -Message $message `
        -Remediation ([string](Get-SamProperty -InputObject $CoreError -Name 'remediation')) `
        -TargetObject $TargetObject -Data $data
}
