function Register-SamArgumentCompleter {
    <#
    .SYNOPSIS
        Tab completion for -Target, -Profile (and -Name of the profile cmdlets) and -With.
    .DESCRIPTION
        Profile names and the targets' options come from the core when Tab is pressed; a core
        that cannot answer yields no completions rather than an error. -Target completes from the
        same nine names its ValidateSet accepts.
    #>
    [CmdletBinding()]
    param()
    $targetCommands = @('Connect-SamService', 'Get-SamConnectParameter', 'Get-SamConnectSnippet')
    $profileCommands = @(
        'Connect-SamService', 'Get-SamConnectParameter', 'Get-SamConnectSnippet', 'Get-SamRefreshTokenStatus',
        'Import-SamRefreshToken', 'Invoke-SamConsent', 'New-SamAccessToken', 'Test-SamProfile'
    )
    $nameCommands = @('Get-SamProfile', 'Unregister-SamProfile')

    $completeTarget = {
        param($commandName, $parameterName, $wordToComplete, $commandAst, $fakeBoundParameters)
        $names = @('AzAccount', 'AzureAD', 'MsolService', 'PartnerCenter', 'MgGraph', 'ExchangeOnline', 'IPPSSession', 'MicrosoftTeams', 'PnPOnline')
        foreach ($name in $names) {
            if ($name -like "$wordToComplete*") {
                New-Object -TypeName System.Management.Automation.CompletionResult -ArgumentList @($name, $name, 'ParameterValue', $name)
            }
        }
    }
    $completeProfile = {
        param($commandName, $parameterName, $wordToComplete, $commandAst, $fakeBoundParameters)
        $profiles = @()
        try {
            $profiles = @(Invoke-SamBridgeCore -Command 'profile.find' -ErrorAction Stop -WarningAction SilentlyContinue)
        } catch {
            $profiles = @()
        }
        foreach ($entry in $profiles) {
            if ($entry.name -like "$wordToComplete*") {
                $tip = "$($entry.name): app $($entry.app_id), tenant $($entry.tenant)"
                New-Object -TypeName System.Management.Automation.CompletionResult -ArgumentList @($entry.name, $entry.name, 'ParameterValue', $tip)
            }
        }
    }
    $completeOption = {
        param($commandName, $parameterName, $wordToComplete, $commandAst, $fakeBoundParameters)
        $options = @()
        try {
            if ($fakeBoundParameters.Contains('Target')) {
                $target = Get-SamTarget -Name $fakeBoundParameters['Target'] -ErrorAction Stop -WarningAction SilentlyContinue
                if ($target) { $options = @($target.options) }
            } else {
                $options = @(Get-SamTarget -ErrorAction Stop -WarningAction SilentlyContinue | ForEach-Object { $_.options } | Sort-Object -Unique)
            }
        } catch {
            $options = @()
        }
        foreach ($option in $options) {
            if ($option -like "$wordToComplete*") {
                New-Object -TypeName System.Management.Automation.CompletionResult -ArgumentList @($option, $option, 'ParameterValue', $option)
            }
        }
    }
    Register-ArgumentCompleter -CommandName $targetCommands -ParameterName 'Target' -ScriptBlock $completeTarget
    Register-ArgumentCompleter -CommandName $profileCommands -ParameterName 'Profile' -ScriptBlock $completeProfile
    Register-ArgumentCompleter -CommandName $nameCommands -ParameterName 'Name' -ScriptBlock $completeProfile
    Register-ArgumentCompleter -CommandName $targetCommands -ParameterName 'With' -ScriptBlock $completeOption
}
