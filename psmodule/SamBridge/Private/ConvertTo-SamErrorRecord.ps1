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
